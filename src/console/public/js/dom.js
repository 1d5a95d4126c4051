// Small DOM helpers. Everything the API returns goes into the page as text nodes, never as HTML.

/**
 * Creates an element: `h('button', { type: 'button', onclick }, 'Save')`. Attributes starting with
 * `on` become listeners; `class`, `for`, `aria-*`, `data-*` and the rest are set as attributes;
 * boolean true sets an empty attribute, false/null/undefined leaves it out.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'value' && 'value' in el) {
      el.value = value;
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let idCounter = 0;
/** A document-unique id for label/aria wiring. */
export function uid(prefix = 'id') {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** Tells screen readers about an asynchronous result (the polite live region in index.html). */
export function announce(message) {
  const region = document.getElementById('announcer');
  if (!region) return;
  region.textContent = '';
  // A fresh text node after a tick makes repeated identical messages audible too.
  setTimeout(() => (region.textContent = message), 50);
}

/**
 * An RFC 9457 problem shown in full: title, detail, field errors and any reasons the service
 * gives (blockedBy, reasons, allowedRoutes). role="alert" makes it heard when it appears.
 */
export function problemView(error) {
  const problem = error?.problem ?? {
    title: 'Something went wrong',
    detail: String(error?.message ?? error),
  };
  const status = error?.status ? ` (HTTP ${error.status})` : '';
  const fieldErrors = Array.isArray(problem.errors) ? problem.errors : [];
  const blockedBy = Array.isArray(problem.blockedBy) ? problem.blockedBy : [];
  const reasons = Array.isArray(problem.reasons) ? problem.reasons : [];
  return h(
    'div',
    { class: 'problem', role: 'alert' },
    h('p', { class: 'problem-title' }, `${problem.title ?? 'Error'}${status}`),
    problem.detail ? h('p', { class: 'problem-detail' }, problem.detail) : null,
    fieldErrors.length
      ? h(
          'ul',
          { class: 'problem-errors', 'aria-label': 'Field errors' },
          fieldErrors.map((e) =>
            h(
              'li',
              {},
              typeof e === 'string' ? e : [h('code', {}, e.field ?? ''), ' ', e.message ?? JSON.stringify(e)],
            ),
          ),
        )
      : null,
    blockedBy.length
      ? h(
          'ul',
          { class: 'problem-errors', 'aria-label': 'Blocked by' },
          blockedBy.map((b) => h('li', {}, b)),
        )
      : null,
    reasons.length
      ? h(
          'ul',
          { class: 'problem-errors', 'aria-label': 'Reasons' },
          reasons.map((r) =>
            h(
              'li',
              {},
              `${r.held ? '✓' : '✗'} ${r.text ?? r.condition}`,
              r.citation ? h('cite', {}, ` — ${r.citation}`) : null,
            ),
          ),
        )
      : null,
    Array.isArray(problem.allowedRoutes)
      ? h('p', {}, `Allowed routes: ${problem.allowedRoutes.join(', ') || 'none'}`)
      : null,
  );
}

/** A place on the page that shows a spinner, then content or a problem. */
export function slot(label) {
  return h('div', { class: 'slot', 'aria-busy': 'true' }, h('p', { class: 'loading' }, `Loading ${label}…`));
}

/** Fills a slot with the result of `load()`, or with the problem it throws. */
export async function fill(target, load) {
  target.setAttribute('aria-busy', 'true');
  try {
    const content = await load();
    replace(target, content);
  } catch (error) {
    replace(target, problemView(error));
  } finally {
    target.removeAttribute('aria-busy');
  }
}

/** `technical_file_compilation` → `technical file compilation`. */
export function words(identifier) {
  return String(identifier).replace(/[_-]+/g, ' ');
}

/** `COMPLETE_SCOPING` → `Complete scoping`. */
export function eventLabel(type) {
  const text = String(type).toLowerCase().replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A short date-time in the reader's locale; the full RFC 3339 value as the title. */
export function time(iso) {
  if (!iso) return h('span', {}, '—');
  const date = new Date(iso);
  const text = Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  return h('time', { datetime: iso, title: iso }, text);
}

export function shortHash(hash) {
  return hash ? h('code', { title: hash, class: 'hash' }, `${hash.slice(0, 12)}…`) : '—';
}

export function bytes(n) {
  if (typeof n !== 'number') return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** A coloured status word; the colour never carries meaning alone, the word does. */
export function badge(text, tone = 'neutral') {
  return h('span', { class: `badge badge-${tone}` }, text);
}

/** A table with a caption, column headers and rows of cells. */
export function table(caption, headers, rows, { empty = 'Nothing yet.', captionHidden = false } = {}) {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h('caption', { class: captionHidden ? 'visually-hidden' : null }, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headers.map((text) => h('th', { scope: 'col' }, text)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((cells) =>
          h(
            'tr',
            {},
            cells.map((cell, i) => (i === 0 ? h('th', { scope: 'row' }, cell) : h('td', {}, cell))),
          ),
        ),
      ),
    ),
  );
}

/** A labelled form control wrapped in a field block. */
export function field(label, control, hint) {
  const id = control.id || uid('f');
  control.id = id;
  let hintEl = null;
  if (hint) {
    hintEl = h('span', { class: 'hint', id: `${id}-hint` }, hint);
    control.setAttribute('aria-describedby', `${id}-hint`);
  }
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hintEl);
}

export function link(href, text) {
  return h('a', { href }, text);
}

/** The value of an attribute map entry as text. */
export function valueText(value) {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}
