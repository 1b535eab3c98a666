// Chorus staff app helpers. The CSP allows scripts only from this origin, so every bit of
// browser-side behaviour the Blazor components need lives here and is called through JS interop.
window.chorus = window.chorus || {};

(function (chorus) {
    // True when a key press belongs to what the person is typing, not to a shortcut.
    function isTyping(el) {
        if (!el) return false;
        const tag = el.tagName;
        return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
    }

    // Enter on a focused link or button must keep its own meaning.
    function isActivatable(el) {
        return !!el && !!el.closest('a, button, [role=button], [role=tab], [role=option], [role=menuitem], [role=checkbox]');
    }

    // A dialog or an open drop-down owns the keyboard while it is shown.
    function overlayOpen() {
        return !!document.querySelector('.mud-dialog-container, .mud-popover-open');
    }

    // Single-key shortcuts for one page. `keys` are KeyboardEvent.key values sent to the
    // component's [JSInvokable] OnShortcut; `focus` maps keys to a selector to focus directly
    // (no round trip, so the key is never typed into the field). Returns { dispose }.
    chorus.registerShortcuts = function (dotnet, keys, focus) {
        const handler = function (e) {
            if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
            if (isTyping(e.target) || overlayOpen()) return;
            if (e.key === 'Enter' && isActivatable(e.target)) return;
            const target = focus && focus[e.key];
            if (target) {
                const el = document.querySelector(target);
                if (el) { e.preventDefault(); el.focus(); el.select && el.select(); }
                return;
            }
            if (keys.indexOf(e.key) < 0) return;
            e.preventDefault();
            dotnet.invokeMethodAsync('OnShortcut', e.key);
        };
        document.addEventListener('keydown', handler);
        return { dispose: function () { document.removeEventListener('keydown', handler); } };
    };

    // Ctrl+Enter (Cmd+Enter on a Mac) in the field matching `selector` calls `method` with the
    // field's text, so what is sent is exactly what is in the box even if an input event is still
    // on its way. Listens on the document: the field may be re-created by a re-render.
    chorus.onCtrlEnter = function (selector, dotnet, method) {
        const handler = function (e) {
            if (e.key !== 'Enter' || !(e.ctrlKey || e.metaKey) || !e.target.matches || !e.target.matches(selector)) return;
            e.preventDefault();
            dotnet.invokeMethodAsync(method, e.target.value);
        };
        document.addEventListener('keydown', handler);
        return { dispose: function () { document.removeEventListener('keydown', handler); } };
    };

    chorus.focus = function (selector) {
        const el = document.querySelector(selector);
        if (el) el.focus();
    };

    // Keeps the keyboard cursor row visible while moving with j/k.
    chorus.scrollIntoView = function (selector) {
        const el = document.querySelector(selector);
        if (el) el.scrollIntoView({ block: 'nearest' });
    };
})(window.chorus);
