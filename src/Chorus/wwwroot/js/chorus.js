// Chorus staff app helpers. The CSP allows scripts only from this origin, so every bit of
// browser-side behaviour the Blazor components need lives here and is called through JS interop.
window.chorus = window.chorus || {};

(function (chorus) {
    // True when a key press belongs to what the person is typing, not to a shortcut.
    function isTyping(el) {
        if (!el) return false;
        const tag = el.tagName;
        if (tag === 'INPUT') return ['checkbox', 'radio', 'button', 'submit', 'reset'].indexOf(el.type) < 0;
        return tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
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
    // component's [JSInvokable] OnShortcut; `focus` maps keys to a field to focus at once, in the
    // browser, so what the person types next lands in that field and not in the page's
    // shortcuts while the server round trip is under way. Returns { dispose }.
    chorus.registerShortcuts = function (dotnet, keys, focus) {
        const handler = function (e) {
            if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
            if (isTyping(e.target) || overlayOpen()) return;
            if (e.key === 'Enter' && isActivatable(e.target)) return;
            const field = focus && focus[e.key] ? document.querySelector(focus[e.key]) : null;
            const known = keys.indexOf(e.key) >= 0;
            if (!field && !known) return;
            e.preventDefault();
            if (field) field.focus();
            if (known) dotnet.invokeMethodAsync('OnShortcut', e.key);
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

    // Drafts survive a reload, a closed tab or a crash: a field with data-draft-key keeps its text
    // in localStorage while it is typed; the page clears it once the message is sent.
    document.addEventListener('input', function (e) {
        const key = e.target.dataset && e.target.dataset.draftKey;
        if (!key) return;
        if (e.target.value) localStorage.setItem(key, e.target.value);
        else localStorage.removeItem(key);
    });
    chorus.loadDraft = function (key) { return localStorage.getItem(key) || ''; };
    chorus.clearDraft = function (key) { localStorage.removeItem(key); };

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
