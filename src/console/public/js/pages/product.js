// A base product: its attributes, its variants and its product-level evidence.
import { get } from '../api.js';
import { verification } from '../audit.js';
import { fill, h, link, slot, table, time, valueText } from '../dom.js';
import { evidenceTable, uploadForm } from '../evidence.js';
import { hasRole } from '../session.js';
import { changesText } from './home.js';

export async function productPage(container, id) {
  const product = await get(`/products/${id}`);
  const declared = new Set(Object.keys(product.declaredAttributes ?? {}));
  const source = product.sourceUrl
    ? h('a', { href: product.sourceUrl, rel: 'noopener noreferrer' }, product.sourceUrl)
    : '—';
  container.append(
    h(
      'nav',
      { 'aria-label': 'Breadcrumb', class: 'breadcrumb' },
      h('ol', {}, h('li', {}, link('#/', 'Overview')), h('li', { 'aria-current': 'page' }, product.name)),
    ),
    h('h1', {}, product.name),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Key'),
      h('dd', {}, h('code', {}, product.key)),
      h('dt', {}, 'Design version'),
      h('dd', {}, product.designVersion),
      h('dt', {}, 'Design source'),
      h('dd', {}, source),
      h('dt', {}, 'Created'),
      h('dd', {}, time(product.createdAt)),
    ),
    h(
      'section',
      { 'aria-labelledby': 'attributes-h' },
      h('h2', { id: 'attributes-h' }, 'Attributes'),
      h(
        'p',
        { class: 'muted' },
        'Values the product sets itself are in bold; the others are the vocabulary defaults.',
      ),
      table(
        'Effective attributes',
        ['Attribute', 'Value'],
        Object.entries(product.attributes).map(([name, value]) => [
          h('code', {}, name),
          declared.has(name) ? h('strong', {}, valueText(value)) : valueText(value),
        ]),
        { captionHidden: true },
      ),
    ),
  );
  const variants = slot('variants');
  const evidence = slot('evidence');
  if (hasRole('customiser', 'legal', 'auditor')) {
    container.append(
      h('section', { 'aria-labelledby': 'variants-h' }, h('h2', { id: 'variants-h' }, 'Variants'), variants),
    );
  }
  container.append(
    h(
      'section',
      { 'aria-labelledby': 'evidence-h' },
      h('h2', { id: 'evidence-h' }, 'Product evidence'),
      evidence,
    ),
    h(
      'section',
      { 'aria-labelledby': 'audit-h' },
      h('h2', { id: 'audit-h' }, 'Audit log'),
      verification(`product:${id}`, 'product log'),
    ),
  );
  await Promise.all([
    hasRole('customiser', 'legal', 'auditor') &&
      fill(variants, async () => {
        const list = await get(`/products/${id}/variants`);
        return table(
          'Variants of this product you may see',
          ['Variant', 'Changes'],
          list.map((v) => [link(`#/variants/${v.id}`, v.name), changesText(v.changes)]),
          { empty: 'No variants you may see.', captionHidden: true },
        );
      }),
    fill(evidence, async () => {
      const list = await get(`/products/${id}/evidence`);
      return h(
        'div',
        {},
        h(
          'p',
          { class: 'muted' },
          'Variants reuse accepted product evidence unless their changes invalidate it.',
        ),
        evidenceTable('Product-level evidence', list, {
          focusAfter: '#evidence-h',
          empty: 'No product evidence yet.',
        }),
        hasRole('maintainer')
          ? await uploadForm({
              ownerPath: `products/${id}`,
              existing: list.filter((e) => !e.supersededBy),
              title: 'Upload product evidence',
              focusAfter: '#evidence-h',
            })
          : null,
      );
    }),
  ]);
}
