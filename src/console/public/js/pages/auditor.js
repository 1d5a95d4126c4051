// The auditor's view: only the variants granted to them (the API decides), each with the result of
// re-checking its audit chains, its cases and its dossiers.
import { get } from '../api.js';
import { verification } from '../audit.js';
import { fill, h, link, slot, table } from '../dom.js';
import { dossierPanel, mayGenerateDossier } from '../dossiers.js';
import { session } from '../session.js';
import { changesText, stateBadge, statusBadge } from './home.js';

function variantCard(variant, productName, index) {
  const cases = slot('cases');
  const headingId = `audited-${index}`;
  const card = h(
    'article',
    { class: 'card audited-variant', 'aria-labelledby': headingId, 'data-variant': variant.id },
    h('h2', { id: headingId }, link(`#/variants/${variant.id}`, variant.name)),
    h('p', { class: 'muted' }, `${productName ?? 'base product'} · ${changesText(variant.changes)}`),
    h('h3', {}, 'Audit chain verification'),
    verification(`variant:${variant.id}`, 'variant log'),
    h('h3', {}, 'Cases'),
    cases,
    dossierPanel(variant.id, {
      headingLevel: 'h3',
      idSuffix: `-${index}`,
      canGenerate: mayGenerateDossier(variant),
    }),
  );
  void fill(cases, async () => {
    const list = await get(`/variants/${variant.id}/cases`);
    if (list.length === 0) return h('p', { class: 'empty' }, 'No case.');
    return h(
      'div',
      {},
      table(
        `Cases of ${variant.name}`,
        ['Case', 'State', 'Status', 'Audit chain'],
        list.map((c) => [
          link(`#/cases/${c.id}`, `${c.regime} · route ${c.route} · ${c.market}`),
          stateBadge(c.state),
          statusBadge(c.status),
          verification(`case:${c.id}`, 'case log'),
        ]),
        { captionHidden: true },
      ),
    );
  });
  return card;
}

export async function auditorPage(container) {
  container.append(
    h('h1', {}, 'Auditor view'),
    h(
      'p',
      { class: 'lead' },
      'The variants you may audit, read-only. Each audit chain is re-checked by the service now: every record’s SHA-256 over its canonical JSON, linked to the one before.',
    ),
  );
  const list = slot('granted variants');
  container.append(list);
  await fill(list, async () => {
    const [variants, products] = await Promise.all([get('/variants'), get('/products')]);
    if (variants.length === 0) {
      return h(
        'div',
        { class: 'empty card', id: 'no-grants' },
        h('p', {}, h('strong', {}, 'No variant has been granted to you.')),
        h(
          'p',
          {},
          'Ask the legal team for access and give them your user ID: ',
          h('code', {}, session.me.user.id),
        ),
      );
    }
    const productName = new Map(products.map((p) => [p.id, p.name]));
    return h(
      'div',
      { class: 'audited' },
      variants.map((v, i) => variantCard(v, productName.get(v.productId), i)),
    );
  });
}
