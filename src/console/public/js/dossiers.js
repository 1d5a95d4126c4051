// Dossier generation (POST /variants/{id}/dossiers → 202 {id, status}), progress by polling
// GET /dossiers/{id}, and the downloads: PDF, manifest and the bundle (design §4, §6).
import { download, get, post } from './api.js';
import { announce, field, fill, h, problemView, replace, shortHash, slot, table, time, uid } from './dom.js';

const POLL_MS = 700;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function downloads(dossier, result) {
  const save = (suffix, name, label) =>
    h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        'data-download': suffix,
        onclick: async () => {
          try {
            const saved = await download(`/dossiers/${dossier.id}/${suffix}`, name);
            announce(`Downloaded ${saved.name}`);
            replace(result, h('p', { class: 'ok' }, `Downloaded ${saved.name}.`));
          } catch (error) {
            replace(result, problemView(error));
          }
        },
      },
      label,
    );
  return h(
    'div',
    { class: 'button-row' },
    save('pdf', `dossier-${dossier.id}.pdf`, 'Download PDF'),
    save('manifest', `dossier-${dossier.id}-manifest.json`, 'Download manifest'),
    save('bundle', `dossier-${dossier.id}.zip`, 'Download bundle (zip)'),
  );
}

function readyView(dossier) {
  const result = h('div', { 'aria-live': 'polite' });
  const facts = [
    ['Dossier', h('code', {}, dossier.id)],
    ['Market', dossier.market],
    ['Dated', dossier.date ?? dossier.completedAt ?? '—'],
    ['PDF SHA-256', dossier.pdfSha256 ? shortHash(dossier.pdfSha256) : null],
    ['Manifest SHA-256', dossier.manifestSha256 ? shortHash(dossier.manifestSha256) : null],
    ['Pages', dossier.pages ?? null],
  ].filter(([, v]) => v !== null && v !== undefined);
  return h(
    'div',
    { class: 'dossier-ready' },
    h('p', { class: 'ok' }, 'The dossier is ready.'),
    h(
      'dl',
      { class: 'facts' },
      facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
    ),
    downloads(dossier, result),
    result,
  );
}

/** Polls until the dossier is ready or failed, showing progress while it renders. */
async function follow(first, out) {
  let dossier = first;
  const started = Date.now();
  const progressId = uid('dossier-progress');
  const elapsed = h('span', {}, '');
  replace(
    out,
    h(
      'div',
      { class: 'progress' },
      h('label', { for: progressId }, 'Rendering the dossier'),
      // No value: an indeterminate bar, since rendering reports no fraction.
      h('progress', { id: progressId, max: 100 }),
      elapsed,
    ),
  );
  announce('Rendering the dossier…');
  while (dossier.status === 'pending') {
    await sleep(POLL_MS);
    dossier = await get(`/dossiers/${dossier.id}`);
    elapsed.textContent = ` ${Math.round((Date.now() - started) / 1000)} s`;
  }
  if (dossier.status === 'ready') {
    replace(out, readyView(dossier));
    announce('The dossier is ready to download');
  } else {
    replace(
      out,
      problemView({
        problem: {
          title: 'The dossier could not be generated',
          detail: dossier.reason ?? `status ${dossier.status}`,
        },
      }),
    );
  }
}

/** The dossiers already generated for the variant, newest first, with their downloads. */
function existingDossiers(variantId, target) {
  return fill(target, async () => {
    const list = await get(`/variants/${variantId}/dossiers`);
    const result = h('div', { 'aria-live': 'polite' });
    return h(
      'div',
      {},
      table(
        'Dossiers generated so far',
        ['Market', 'Status', 'Dated', 'PDF SHA-256', 'Download'],
        list.map((d) => [
          d.market,
          d.status === 'failed' ? `failed: ${d.reason ?? ''}` : d.status,
          time(d.date ?? d.requestedAt),
          d.pdfSha256 ? shortHash(d.pdfSha256) : '—',
          d.status === 'ready' ? downloads(d, result) : '—',
        ]),
        { empty: 'No dossier generated yet.', captionHidden: true },
      ),
      result,
    );
  });
}

/** Generate (or fetch the unchanged) dossier of a variant for a market, then download it. */
export function dossierPanel(
  variantId,
  { markets = ['EU', 'GB', 'US'], headingLevel = 'h2', idSuffix = '' } = {},
) {
  const market = h(
    'select',
    { name: 'market' },
    markets.map((m) => h('option', { value: m }, m)),
  );
  const out = h('div', { class: 'dossier-out', 'aria-live': 'polite' });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Generate dossier');
  const headingId = `dossier-h${idSuffix}`;
  const existing = slot('dossiers');
  void existingDossiers(variantId, existing);
  return h(
    'section',
    { 'aria-labelledby': headingId, class: 'dossiers' },
    h(headingLevel, { id: headingId }, 'Dossier'),
    h(
      'p',
      { class: 'muted' },
      'The technical file of this variant for one market: a PDF, a manifest of every hash it prints, and a bundle with the evidence. Unchanged data gives the same dossier.',
    ),
    h(
      'form',
      {
        class: 'inline-form',
        onsubmit: async (event) => {
          event.preventDefault();
          button.disabled = true;
          replace(out, h('p', { class: 'loading' }, 'Requesting the dossier…'));
          try {
            const first = await post(`/variants/${variantId}/dossiers`, { market: market.value });
            await follow(first, out);
            void existingDossiers(variantId, existing);
          } catch (error) {
            replace(out, problemView(error));
          } finally {
            button.disabled = false;
          }
        },
      },
      field('Market', market),
      button,
    ),
    out,
    h('h4', {}, 'Generated dossiers'),
    existing,
  );
}
