// Suggested help-center articles on the contact form, as the visitor types. Without JavaScript the
// form works as before, with no suggestions. A visitor who opens a suggestion and says it answered
// their question is counted as a deflection (once per visit: the form's request id).
(() => {
    const box = document.getElementById('help-suggestions');
    if (!box) return;
    const form = box.closest('form');
    const subject = document.getElementById('subject');
    const message = document.getElementById('message');
    const visit = box.dataset.visit;
    let timer = 0, lastQuery = '', controller = null, deflected = false;

    const el = (tag, props = {}, ...children) => {
        const e = Object.assign(document.createElement(tag), props);
        for (const c of children) e.append(c);
        return e;
    };
    const token = () => form.querySelector('input[name="__RequestVerificationToken"]')?.value ?? '';

    function schedule() {
        clearTimeout(timer);
        timer = setTimeout(suggest, 350);
    }

    async function suggest() {
        if (deflected) return;
        const query = `${subject.value} ${message.value}`.trim().slice(0, 500);
        if (query === lastQuery) return;
        lastQuery = query;
        if (query.length < 3) return render([]);
        controller?.abort();
        controller = new AbortController();
        try {
            const response = await fetch('/help/suggest?q=' + encodeURIComponent(query), { signal: controller.signal, headers: { Accept: 'application/json' } });
            if (!response.ok) return; // rate-limited or down: keep what is shown, the form still works
            render((await response.json()).articles);
        } catch { /* aborted by newer typing, or offline */ }
    }

    function render(articles) {
        if (box.querySelector('.help-suggestion-article')) return; // the visitor is reading one: don't pull it away
        box.replaceChildren();
        box.hidden = articles.length === 0;
        if (articles.length === 0) return;
        const list = el('ul', { id: 'help-suggestion-list' });
        for (const a of articles) {
            const link = el('a', { href: a.url, textContent: a.title, className: 'help-suggestion' });
            link.dataset.slug = a.slug;
            link.addEventListener('click', e => { e.preventDefault(); open(a.slug); });
            list.append(el('li', {}, link, el('span', { className: 'excerpt', textContent: a.excerpt })));
        }
        box.append(el('h2', { textContent: 'These articles may answer your question' }), list);
    }

    async function open(slug) {
        let article;
        try {
            const response = await fetch('/help/suggest/articles/' + encodeURIComponent(slug), { headers: { Accept: 'application/json' } });
            if (!response.ok) { window.open('/help/articles/' + encodeURIComponent(slug), '_blank', 'noopener'); return; }
            article = await response.json();
        } catch { return; }
        const body = el('div', { className: 'help-article-body' });
        body.innerHTML = article.html; // sanitized by the server (HtmlCleaner) when the article was saved
        const answered = el('button', { type: 'button', className: 'primary', id: 'help-answered', textContent: 'This answered my question' });
        const back = el('button', { type: 'button', id: 'help-not-answered', textContent: 'No, I still need to write' });
        const full = el('a', { href: article.url, target: '_blank', rel: 'noopener', textContent: 'Open in the help center' });
        answered.addEventListener('click', () => deflect(slug));
        back.addEventListener('click', () => { panel.remove(); lastQuery = ''; suggest(); });
        const panel = el('section', { className: 'help-suggestion-article', id: 'help-suggestion-article' },
            el('h3', { textContent: article.title }), body, el('div', { className: 'help-suggestion-actions' }, answered, back, full));
        box.querySelector('.help-suggestion-article')?.remove();
        box.append(panel);
        panel.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    }

    async function deflect(slug) {
        const data = new FormData();
        data.append('visit', visit);
        data.append('article', slug);
        data.append('__RequestVerificationToken', token());
        try { await fetch('/help/deflections', { method: 'POST', body: data }); } catch { /* counted or not, the visitor is answered */ }
        deflected = true;
        box.classList.remove('help-suggestions'); // the notice stands alone, not in the suggestions' frame
        box.replaceChildren(el('div', { className: 'help-deflected', id: 'help-deflected', role: 'status' },
            el('strong', { textContent: 'Glad that answered your question!' }),
            el('span', { textContent: ' You don\'t need to send this form. ' }),
            el('a', { href: '/help', textContent: 'Browse the help center' })));
    }

    subject?.addEventListener('input', schedule);
    message?.addEventListener('input', schedule);
})();
