// A variant: its changes, the legislation that applies per market (with reasons and citations),
// its cases, evidence, dossiers, auditor grants and audit check.
import { get, post } from '../api.js';
import { verification } from '../audit.js';
import {
  announce,
  badge,
  field,
  fill,
  h,
  link,
  problemView,
  replace,
  slot,
  table,
  time,
  valueText,
} from '../dom.js';
import { dossierPanel, mayGenerateDossier } from '../dossiers.js';
import { evidenceTable, uploadForm } from '../evidence.js';
import { hasRole } from '../session.js';
import { stateBadge, statusBadge } from './home.js';

const MARKETS = ['EU', 'GB', 'US'];
const STATUS_TONE = { applies: 'good', 'not-applicable': 'neutral', undetermined: 'warn' };

function reasonList(reasons, label) {
  if (!reasons?.length) return null;
  return h(
    'ul',
    { class: 'reasons', 'aria-label': label },
    reasons.map((r) =>
      h(
        'li',
        { class: r.held ? 'held' : 'failed' },
        h('span', { class: 'mark', 'aria-hidden': 'true' }, r.held ? '✓' : '✗'),
        h('span', { class: 'visually-hidden' }, r.held ? 'holds: ' : 'does not hold: '),
        r.text,
        r.citation ? [' ', h('cite', {}, r.citation)] : null,
        r.confidence ? [' ', badge(`confidence ${r.confidence}`, 'warn')] : null,
      ),
    ),
  );
}

function openCaseButton(variantId, regime, route, out) {
  return h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      onclick: async () => {
        replace(out, h('p', { class: 'loading' }, 'Opening the case…'));
        try {
          const opened = await post(`/variants/${variantId}/cases`, { regime, route });
          announce(`Case opened under ${regime}, route ${route}`);
          location.hash = `#/cases/${opened.id}`;
        } catch (error) {
          replace(out, problemView(error));
        }
      },
    },
    `Open a case: ${regime} route ${route}`,
  );
}

function regimeCard(variantId, r, casesByRegime) {
  const out = h('div', { 'aria-live': 'polite' });
  const existing = casesByRegime.get(r.regime) ?? [];
  const canOpen = hasRole('customiser', 'legal');
  const headingId = `regime-${r.regime}`;
  return h(
    'article',
    { class: `regime card regime-${r.status}`, 'aria-labelledby': headingId, 'data-regime': r.regime },
    h(
      'h4',
      { id: headingId },
      `${r.title} `,
      h('code', {}, r.regime),
      ' ',
      badge(r.status.replace('-', ' '), STATUS_TONE[r.status] ?? 'neutral'),
    ),
    h('p', { class: 'legal-reference' }, r.legalReference),
    reasonList(r.reasons, `Why ${r.regime} ${r.applies ? 'applies' : 'does not apply'}`),
    r.notes?.length
      ? h('div', { class: 'notes' }, h('p', {}, h('strong', {}, 'Notes')), reasonList(r.notes, 'Notes'))
      : null,
    r.routes.length
      ? h(
          'div',
          {},
          h(
            'p',
            {},
            h('strong', {}, 'Routes the law allows'),
            r.notifiedBodyRequired ? ' — every one needs a notified body' : '',
          ),
          table(
            `Routes allowed under ${r.regime}`,
            ['Route', 'Needs a body', 'Workflow', 'Why', 'Case'],
            r.routes.map((route) => {
              const open = existing.find((c) => c.route === route.id);
              return [
                h('span', {}, h('strong', {}, route.id), ` ${route.title}`),
                route.notifiedBody ? 'yes' : 'no',
                h('code', {}, route.workflow),
                reasonList(route.reasons, `Why route ${route.id} is allowed`),
                open
                  ? link(`#/cases/${open.id}`, `Case: ${open.state.replace(/_/g, ' ')}`)
                  : canOpen
                    ? openCaseButton(variantId, r.regime, route.id, out)
                    : '—',
              ];
            }),
            { captionHidden: true },
          ),
        )
      : null,
    r.routesNotAllowed?.length
      ? h(
          'details',
          {},
          h('summary', {}, `Routes not allowed (${r.routesNotAllowed.length})`),
          h(
            'ul',
            {},
            r.routesNotAllowed.map((route) =>
              h(
                'li',
                {},
                h('strong', {}, route.id),
                ` ${route.title}`,
                reasonList(route.reasons, `Why route ${route.id} is not allowed`),
              ),
            ),
          ),
        )
      : null,
    out,
  );
}

function marketSection(variantId, market, entries, casesByRegime) {
  const applying = entries.filter((r) => r.status !== 'not-applicable');
  const others = entries.filter((r) => r.status === 'not-applicable');
  return h(
    'section',
    { class: 'market', 'aria-labelledby': `market-${market}`, 'data-market': market },
    h(
      'h3',
      { id: `market-${market}` },
      `${market}: ${applying.filter((r) => r.applies).length} regime(s) apply`,
    ),
    applying.length
      ? applying.map((r) => regimeCard(variantId, r, casesByRegime))
      : h('p', { class: 'empty' }, 'No regime of this market applies.'),
    others.length
      ? h(
          'details',
          { class: 'not-applicable' },
          h('summary', {}, `${others.length} regime(s) do not apply — why`),
          others.map((r) => regimeCard(variantId, r, casesByRegime)),
        )
      : null,
  );
}

async function grantsTable(variantId) {
  const list = await get(`/auditor-grants?variantId=${encodeURIComponent(variantId)}`);
  return table(
    'Auditor grants for this variant',
    ['Auditor user ID', 'Until', 'Granted', 'Active'],
    list.map((g) => [
      h('code', {}, g.userId),
      time(g.expiresAt),
      time(g.grantedAt),
      g.active ? 'yes' : 'expired',
    ]),
    { empty: 'No auditor has access yet.', captionHidden: true },
  );
}

function grantForm(variantId) {
  const userId = h('input', {
    type: 'text',
    name: 'userId',
    required: true,
    pattern: '[0-9a-fA-F-]{36}',
    class: 'wide',
    spellcheck: 'false',
  });
  const inNinety = new Date(Date.now() + 90 * 86_400_000).toISOString().slice(0, 10);
  const expires = h('input', { type: 'date', name: 'expiresOn', required: true, value: inNinety });
  const out = h('div', { 'aria-live': 'polite' });
  const grants = slot('grants');
  const form = h(
    'form',
    {
      class: 'card',
      'aria-labelledby': 'grant-h',
      onsubmit: async (event) => {
        event.preventDefault();
        if (!form.reportValidity()) return;
        replace(out, h('p', { class: 'loading' }, 'Granting…'));
        try {
          const expiresAt = new Date(`${expires.value}T23:59:59.999Z`).toISOString();
          await post('/auditor-grants', { userId: userId.value.trim(), variantId, expiresAt });
          replace(out, h('p', { class: 'ok' }, `Access granted until ${expires.value} (end of day, UTC).`));
          announce('Auditor access granted');
          userId.value = '';
          void fill(grants, () => grantsTable(variantId));
        } catch (error) {
          replace(out, problemView(error));
        }
      },
    },
    h('h2', { id: 'grant-h' }, 'Grant an auditor access'),
    h(
      'p',
      { class: 'muted' },
      'The auditor sees this variant read-only — cases, evidence, audit log and dossiers — until the end of the chosen day.',
    ),
    h(
      'div',
      { class: 'form-grid' },
      field('Auditor user ID', userId, 'The auditor finds it under “My user ID” in the console header.'),
      field('Access until', expires),
    ),
    h('button', { type: 'submit', class: 'primary' }, 'Grant access'),
    out,
    h('h3', {}, 'Current grants'),
    grants,
  );
  void fill(grants, () => grantsTable(variantId));
  return form;
}

export async function variantPage(container, id) {
  const variant = await get(`/variants/${id}`);
  const [product, cases] = await Promise.all([
    get(`/products/${variant.productId}`).catch(() => null),
    get(`/variants/${id}/cases`),
  ]);
  const casesByRegime = new Map();
  for (const c of cases) casesByRegime.set(c.regime, [...(casesByRegime.get(c.regime) ?? []), c]);

  container.append(
    h(
      'nav',
      { 'aria-label': 'Breadcrumb', class: 'breadcrumb' },
      h(
        'ol',
        {},
        h('li', {}, link('#/', 'Overview')),
        product ? h('li', {}, link(`#/products/${product.id}`, product.name)) : null,
        h('li', { 'aria-current': 'page' }, variant.name),
      ),
    ),
    h('h1', {}, variant.name),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Key'),
      h('dd', {}, h('code', {}, variant.key)),
      h('dt', {}, 'Base product'),
      h(
        'dd',
        {},
        product
          ? link(`#/products/${product.id}`, `${product.name} ${product.designVersion}`)
          : variant.productId,
      ),
      h('dt', {}, 'Created'),
      h('dd', {}, time(variant.createdAt)),
    ),
    h(
      'section',
      { 'aria-labelledby': 'changes-h' },
      h('h2', { id: 'changes-h' }, 'Changes from the base design'),
      table(
        'Changed attributes',
        ['Attribute', 'Base', 'This variant'],
        variant.changes.map((c) => [
          h('code', {}, c.attribute),
          valueText(c.base),
          h('strong', {}, valueText(c.value)),
        ]),
        { empty: 'This variant changes nothing.', captionHidden: true },
      ),
    ),
  );

  const applicability = slot('applicability');
  container.append(
    h(
      'section',
      { 'aria-labelledby': 'applicability-h' },
      h('h2', { id: 'applicability-h' }, 'Applicable legislation'),
      h(
        'p',
        { class: 'muted' },
        'Decided from the shipped rules; each reason names the provision it rests on.',
      ),
      // Buttons, not #fragment links: the hash holds the console's route.
      h(
        'p',
        { class: 'jump' },
        'Jump to market: ',
        MARKETS.map((m) => [
          h(
            'button',
            {
              type: 'button',
              class: 'link-button',
              onclick: () => {
                const target = document.getElementById(`market-${m}`);
                target?.setAttribute('tabindex', '-1');
                target?.focus();
              },
            },
            m,
          ),
          ' ',
        ]),
      ),
      applicability,
    ),
  );

  container.append(
    h(
      'section',
      { 'aria-labelledby': 'cases-h' },
      h('h2', { id: 'cases-h' }, 'Cases'),
      table(
        'Cases of this variant',
        ['Case', 'Market', 'Workflow', 'State', 'Status'],
        cases.map((c) => [
          link(`#/cases/${c.id}`, `${c.regime} · route ${c.route}`),
          c.market,
          c.workflow.title,
          stateBadge(c.state),
          statusBadge(c.status),
        ]),
        { empty: 'No case yet. Open one from the applicable legislation above.', captionHidden: true },
      ),
    ),
  );

  const evidence = slot('evidence');
  container.append(
    h('section', { 'aria-labelledby': 'evidence-h' }, h('h2', { id: 'evidence-h' }, 'Evidence'), evidence),
  );
  container.append(dossierPanel(id, { canGenerate: mayGenerateDossier(variant) }));
  if (hasRole('legal')) container.append(h('section', {}, grantForm(id)));
  container.append(
    h(
      'section',
      { 'aria-labelledby': 'audit-h' },
      h('h2', { id: 'audit-h' }, 'Audit log'),
      verification(`variant:${id}`, 'variant log'),
    ),
  );

  await Promise.all([
    fill(applicability, async () => {
      const entries = await get(`/variants/${id}/applicability?markets=${MARKETS.join(',')}`);
      return h(
        'div',
        {},
        MARKETS.map((m) =>
          marketSection(
            id,
            m,
            entries.filter((e) => e.market === m),
            casesByRegime,
          ),
        ),
      );
    }),
    fill(evidence, async () => {
      const list = await get(`/variants/${id}/evidence`);
      return h(
        'div',
        {},
        evidenceTable('Own evidence of this variant', list.own, {
          focusAfter: '#evidence-h',
          empty: 'No own evidence yet.',
        }),
        h('h3', {}, 'Inherited from the base product'),
        evidenceTable('Inherited evidence', list.inherited, {
          inherited: true,
          review: false,
          empty: 'Nothing inherited.',
        }),
        list.invalidated.length
          ? [
              h('h3', {}, 'Base evidence this variant cannot reuse'),
              table(
                'Invalidated base evidence',
                ['Kind', 'File', 'Invalidated by the change of'],
                list.invalidated.map((i) => [
                  h('code', {}, i.evidence.kind),
                  i.evidence.originalName,
                  i.attributes.join(', '),
                ]),
                { captionHidden: true },
              ),
            ]
          : null,
        hasRole('customiser', 'legal')
          ? await uploadForm({
              ownerPath: `variants/${id}`,
              existing: list.own.filter((e) => !e.supersededBy),
              focusAfter: '#evidence-h',
            })
          : null,
      );
    }),
  ]);
}
