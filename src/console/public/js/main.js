// The console's entry point: sign-in, the header, and a small hash router (#/variants/<id> …).
import { ApiError, clearToken, get, getToken, setToken } from './api.js';
import { announce, field, h, problemView, replace } from './dom.js';
import { auditorPage } from './pages/auditor.js';
import { casePage } from './pages/case.js';
import { homePage } from './pages/home.js';
import { productPage } from './pages/product.js';
import { variantPage } from './pages/variant.js';
import { onRefresh, takePending } from './nav.js';
import { hasRole, isAuditorOnly, session } from './session.js';

const ID = '([0-9a-fA-F-]{36})';
const ROUTES = [
  { pattern: /^#?\/?$/, page: homePage },
  { pattern: new RegExp(`^#/products/${ID}$`), page: productPage },
  { pattern: new RegExp(`^#/variants/${ID}$`), page: variantPage },
  { pattern: new RegExp(`^#/cases/${ID}$`), page: casePage },
  { pattern: /^#\/audit$/, page: auditorPage },
];

const main = () => document.getElementById('main');

function signInPage(message) {
  const input = h('input', {
    type: 'password',
    name: 'token',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    class: 'wide',
  });
  const result = h('div', { class: 'result', 'aria-live': 'polite' });
  const form = h(
    'form',
    {
      class: 'card signin',
      'aria-labelledby': 'signin-h',
      onsubmit: async (event) => {
        event.preventDefault();
        const token = input.value.trim();
        if (!token) return;
        setToken(token);
        replace(result, h('p', { class: 'loading' }, 'Signing in…'));
        try {
          await loadMe();
          input.value = '';
          announce(`Signed in as ${session.me.user.name}`);
          renderChrome();
          await route();
        } catch (error) {
          clearToken();
          replace(result, problemView(error));
        }
      },
    },
    h('h1', { id: 'signin-h', tabindex: '-1' }, 'Sign in to certflow'),
    h(
      'p',
      {},
      'Paste the bearer token your administrator gave you. It is kept only in this browser tab and is forgotten when you close it.',
    ),
    message ? h('p', { class: 'notice', role: 'status' }, message) : null,
    field(
      'Access token',
      input,
      'Tokens start with cf_. The first administrator token is in DATA_DIR/admin-token.',
    ),
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
    result,
  );
  replace(main(), form);
  document.title = 'Sign in · certflow';
  input.focus();
}

async function loadMe() {
  session.me = await get('/me');
  session.content = null;
}

function signOut() {
  clearToken();
  session.me = null;
  session.content = null;
  renderChrome();
  signInPage('You are signed out.');
  announce('Signed out');
}

/** Header: navigation and who is signed in. */
function renderChrome() {
  const nav = document.getElementById('nav');
  const who = document.getElementById('whoami');
  if (!session.me) {
    replace(nav);
    replace(who);
    return;
  }
  const links = [];
  if (!isAuditorOnly()) links.push(h('a', { href: '#/' }, 'Overview'));
  if (hasRole('auditor', 'legal')) links.push(h('a', { href: '#/audit' }, 'Auditor view'));
  links.push(h('a', { href: '/api/docs' }, 'API docs'));
  replace(
    nav,
    h(
      'ul',
      {},
      links.map((a) => h('li', {}, a)),
    ),
  );
  const me = session.me;
  replace(
    who,
    h(
      'p',
      { id: 'signed-in-as' },
      'Signed in as ',
      h('strong', {}, me.user.name),
      ` · ${me.organisation.name} · `,
      h('span', { class: 'roles' }, me.roles.join(', ')),
    ),
    h(
      'details',
      { class: 'my-id' },
      h('summary', {}, 'My user ID'),
      h(
        'p',
        {},
        'Give it to the legal team to be granted access: ',
        h('code', { id: 'my-user-id' }, me.user.id),
      ),
    ),
    h('button', { type: 'button', class: 'link-button', onclick: signOut }, 'Sign out'),
  );
  markCurrentNav();
}

function markCurrentNav() {
  const hash = location.hash || '#/';
  for (const a of document.querySelectorAll('#nav a')) {
    const target = a.getAttribute('href');
    const current = target === hash || (target === '#/' && (hash === '#' || hash === ''));
    if (current) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

let renderCount = 0;

/** Renders the page the hash names; a stale render (the user navigated on) is dropped. */
async function route() {
  if (!session.me) return signInPage();
  const hash = location.hash || '#/';
  const target = ROUTES.find((r) => r.pattern.test(hash));
  const mine = ++renderCount;
  const { focus, flash } = takePending();
  const container = h('div', { class: 'page' });
  if (flash) {
    const note = h(
      'div',
      { class: 'flash', role: 'status' },
      h('p', {}, flash),
      h('button', { type: 'button', class: 'link-button', onclick: () => note.remove() }, 'Dismiss'),
    );
    container.append(note);
  }
  replace(main(), h('p', { class: 'loading' }, 'Loading…'));
  markCurrentNav();
  try {
    if (!target)
      throw new ApiError(404, { title: 'No such page', detail: `The console has no page ${hash}.` });
    const params = hash.match(target.pattern).slice(1);
    await target.page(container, ...params);
    if (mine !== renderCount) return;
    replace(main(), container);
    // Pages may ask for work that needs layout (e.g. scrolling the diagram to the current state).
    for (const fn of container.afterShow ?? []) fn();
  } catch (error) {
    if (mine !== renderCount) return;
    if (error instanceof ApiError && error.status === 401) {
      clearToken();
      session.me = null;
      renderChrome();
      return signInPage('Your token is no longer accepted. Sign in again.');
    }
    replace(
      main(),
      h('h1', { tabindex: '-1' }, 'This page cannot be shown'),
      problemView(error),
      h('p', {}, h('a', { href: '#/' }, 'Back to the overview')),
    );
  }
  const heading = main().querySelector('h1');
  document.title = `${heading ? heading.textContent : 'certflow'} · certflow`;
  const wanted = focus ? main().querySelector(focus) : null;
  if (wanted) {
    if (!wanted.hasAttribute('tabindex') && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(wanted.tagName)) {
      wanted.setAttribute('tabindex', '-1');
    }
    wanted.focus();
  } else if (!main().contains(document.activeElement) || document.activeElement === document.body) {
    heading?.setAttribute('tabindex', '-1');
    heading?.focus({ preventScroll: false });
  }
}

onRefresh(async () => {
  const scroll = window.scrollY;
  await route();
  window.scrollTo(0, scroll);
});

window.addEventListener('hashchange', () => {
  window.scrollTo(0, 0);
  void route();
});

async function start() {
  if (!getToken()) {
    renderChrome();
    return signInPage();
  }
  try {
    await loadMe();
  } catch (error) {
    clearToken();
    renderChrome();
    return signInPage(
      error instanceof ApiError && error.status === 401
        ? 'Your token is no longer accepted. Sign in again.'
        : error.message,
    );
  }
  renderChrome();
  await route();
}

void start();
