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

    // The composer's text belongs to the browser. Blazor never writes it back, so no render or
    // late event can overwrite what the agent is typing: the page reads the text when it sends and
    // clears it once sent. Meanwhile the text is kept in localStorage under `draftKey` (drafts
    // survive a reload or a crash) and reported to the page, debounced, for the typing indicator,
    // @mention suggestions and the Send button. Ctrl+Enter (Cmd+Enter) sends.
    chorus.attachComposer = function (textarea, dotnet, draftKey) {
        let timer = null;
        let reportedEmpty = true;
        const report = function (typed) {
            clearTimeout(timer);
            const empty = textarea.value.trim() === '';
            // A change between empty and not empty goes at once (it enables Send); typing is debounced.
            timer = setTimeout(function () { reportedEmpty = empty; dotnet.invokeMethodAsync('OnComposerInput', textarea.value, typed); },
                empty !== reportedEmpty ? 0 : 150);
        };
        const save = function () {
            try {
                if (textarea.value) localStorage.setItem(draftKey, textarea.value);
                else localStorage.removeItem(draftKey);
            } catch (e) { /* storage blocked: the draft just does not survive a reload */ }
        };
        const onInput = function () { save(); report(true); };
        const onKeyDown = function (e) {
            if ((e.key === 'm' || e.key === 'M') && (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey) {
                e.preventDefault();
                dotnet.invokeMethodAsync('OpenMacroPicker');
                return;
            }
            if (e.key !== 'Enter' || !(e.ctrlKey || e.metaKey)) return;
            e.preventDefault();
            dotnet.invokeMethodAsync('SendFromKeyboard', textarea.value);
        };
        textarea.addEventListener('input', onInput);
        textarea.addEventListener('keydown', onKeyDown);
        // Text typed before the page attached (a fast typist, a slow circuit) wins over an older draft.
        if (textarea.value) save();
        else { try { textarea.value = localStorage.getItem(draftKey) || ''; } catch (e) { /* no storage: start empty */ } }
        if (textarea.value) report(false);
        return {
            value: function () { return textarea.value; },
            clear: function () { textarea.value = ''; save(); report(false); },
            // A macro's reply: replaces an empty composer, else goes where the cursor is.
            insert: function (text) {
                if (!textarea.value.trim()) textarea.value = text;
                else {
                    const at = textarea.selectionStart ?? textarea.value.length;
                    textarea.value = textarea.value.slice(0, at) + text + textarea.value.slice(textarea.selectionEnd ?? at);
                }
                save(); report(true); textarea.focus();
            },
            // Replaces the @partial at the end with the chosen colleague's handle.
            completeMention: function (handle) {
                textarea.value = textarea.value.replace(/@[A-Za-z0-9._-]*$/, '@' + handle + ' ');
                save(); report(true); textarea.focus();
            },
            dispose: function () {
                clearTimeout(timer);
                textarea.removeEventListener('input', onInput);
                textarea.removeEventListener('keydown', onKeyDown);
            },
        };
    };

    // The new page's heading takes focus (for screen readers), unless someone is already typing in a field.
    chorus.focusHeading = function (selector) {
        if (isTyping(document.activeElement)) return;
        const el = document.querySelector(selector);
        if (!el) return;
        if (!el.hasAttribute('tabindex')) el.tabIndex = -1;
        el.focus({ preventScroll: true });
    };

    chorus.focus = function (selector) {
        const el = document.querySelector(selector);
        if (el) el.focus();
    };

    chorus.scrollToTop = function () { window.scrollTo(0, 0); };

    // A search that fires after a debounce goes to `url` (the same page, another query) only if the browser still
    // shows that page: a click on a result can leave it before the server hears of it, and the late search must
    // not take the person back.
    chorus.searchIfStillOn = function (url) {
        if (location.pathname === new URL(url, location.href).pathname) Blazor.navigateTo(url);
    };

    // Keeps the keyboard cursor row visible while moving with j/k.
    chorus.scrollIntoView = function (selector) {
        const el = document.querySelector(selector);
        if (el) el.scrollIntoView({ block: 'nearest' });
    };
})(window.chorus);
