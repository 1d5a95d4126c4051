// The overview: products, variants and cases the caller may see.
import { get } from '../api.js';
import { badge, fill, h, link, slot, table, time, valueText } from '../dom.js';
import { hasRole, isAuditorOnly, session } from '../session.js';
import { auditorPage } from './auditor.js';

export function statusBadge(status) {
  const tone =
    status === 'placed-on-market'
      ? 'good'
      : status === 'suspended' || status === 'discontinued'
        ? 'warn'
        : status === 'closed'
          ? 'neutral'
          : 'info';
  return badge(status, tone);
}

export function stateBadge(state) {
  return badge(String(state).replace(/_/g, ' '), 'state');
}

export function changesText(changes) {
  if (!changes?.length) return 'no changes';
  return changes.map((c) => `${c.attribute}: ${valueText(c.base)} → ${valueText(c.value)}`).join('; ');
}

export async function homePage(container) {
  if (isAuditorOnly()) return auditorPage(container);
  const me = session.me;
  container.append(
    h('h1', {}, 'Overview'),
    h('p', { class: 'lead' }, `Welcome, ${me.user.name}. `, roleHint()),
  );

  const products = slot('products');
  const variants = slot('variants');
  const cases = slot('cases');
  container.append(
    h(
      'section',
      { 'aria-labelledby': 'products-h' },
      h('h2', { id: 'products-h' }, 'Base products'),
      products,
    ),
  );
  if (hasRole('customiser', 'legal')) {
    container.append(
      h('section', { 'aria-labelledby': 'variants-h' }, h('h2', { id: 'variants-h' }, 'Variants'), variants),
      h(
        'section',
        { 'aria-labelledby': 'cases-h' },
        h('h2', { id: 'cases-h' }, 'Certification cases'),
        cases,
      ),
    );
  }

  const productList = get('/products');
  const variantList = hasRole('customiser', 'legal') ? get('/variants') : Promise.resolve([]);
  await Promise.all([
    fill(products, async () => {
      const list = await productList;
      return table(
        'Base products of the commons',
        ['Product', 'Key', 'Design version', 'Created'],
        list.map((p) => [
          link(`#/products/${p.id}`, p.name),
          h('code', {}, p.key),
          p.designVersion,
          time(p.createdAt),
        ]),
        { empty: 'No base products yet. A maintainer creates them.', captionHidden: true },
      );
    }),
    hasRole('customiser', 'legal') &&
      fill(variants, async () => {
        const [list, prods] = await Promise.all([variantList, productList]);
        const productName = new Map(prods.map((p) => [p.id, p.name]));
        return table(
          'Variants you may see',
          ['Variant', 'Base product', 'Changes from the base', 'Created'],
          list.map((v) => [
            link(`#/variants/${v.id}`, v.name),
            productName.get(v.productId) ?? v.productId,
            changesText(v.changes),
            time(v.createdAt),
          ]),
          { empty: 'No variants yet. A customiser creates one from a base product.', captionHidden: true },
        );
      }),
    hasRole('customiser', 'legal') &&
      fill(cases, async () => {
        const [list, vars] = await Promise.all([get('/cases'), variantList]);
        const variantName = new Map(vars.map((v) => [v.id, v.name]));
        return table(
          'Certification cases you may see',
          ['Case', 'Variant', 'Market', 'Workflow', 'State', 'Status', 'Updated'],
          list.map((c) => [
            link(`#/cases/${c.id}`, `${c.regime} · route ${c.route}`),
            variantName.get(c.variantId) ?? c.variantId,
            c.market,
            c.workflow.title,
            stateBadge(c.state),
            statusBadge(c.status),
            time(c.updatedAt),
          ]),
          {
            empty: 'No cases yet. Open one from a variant page, under the legislation that applies.',
            captionHidden: true,
          },
        );
      }),
  ]);
}

function roleHint() {
  if (hasRole('legal'))
    return 'You advance approval steps, review evidence, sign declarations and grant auditors access.';
  if (hasRole('customiser'))
    return "You manage your organisation's variants: upload evidence, open cases and send the steps your workflows allow.";
  if (hasRole('maintainer')) return 'You maintain the base products of the commons and their evidence.';
  return '';
}
