// A certification case: where it stands in its workflow (diagram), what can happen next and why
// not (blockedBy), signing, the evidence requirements, uploads and review, signatures, audit check.
import { ApiError, get, post } from '../api.js';
import { verification } from '../audit.js';
import {
  announce,
  badge,
  eventLabel,
  field,
  fill,
  h,
  link,
  problemView,
  replace,
  shortHash,
  slot,
  table,
  time,
  uid,
  words,
} from '../dom.js';
import { evidenceList, uploadForm } from '../evidence.js';
import { refresh } from '../nav.js';
import { parseMermaid, renderStateGraph } from '../state-graph.js';
import { hasRole, isAuditorOnly, session } from '../session.js';
import { stateBadge, statusBadge } from './home.js';

/**
 * Asks the signer to confirm, showing exactly what the signature means. Resolves true when they
 * sign, false when they cancel (button or Escape).
 */
function confirmSignature(eventType, meaning) {
  return new Promise((resolve) => {
    const titleId = uid('sign-h');
    const descId = uid('sign-d');
    const dialog = h(
      'dialog',
      { class: 'sign-dialog', 'aria-labelledby': titleId, 'aria-describedby': descId },
      h('h2', { id: titleId }, `Sign: ${eventLabel(eventType)}`),
      h(
        'div',
        { id: descId },
        h('p', {}, 'By signing you declare:'),
        h('p', { class: 'meaning' }, h('strong', { 'data-meaning': meaning }, meaning)),
        h(
          'p',
          { class: 'muted' },
          `Your name (${session.me.user.name}), your role, the time, and a SHA-256 over the case and the evidence it covers are recorded in the audit log. A later change to that evidence makes the signature stale.`,
        ),
      ),
      h(
        'div',
        { class: 'button-row' },
        h(
          'button',
          { type: 'button', class: 'primary', value: 'sign', onclick: () => close(true) },
          'Sign and send',
        ),
        h(
          'button',
          { type: 'button', class: 'secondary', value: 'cancel', onclick: () => close(false) },
          'Cancel',
        ),
      ),
    );
    let answered = false;
    const close = (answer) => {
      if (answered) return;
      answered = true;
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    dialog.addEventListener('cancel', () => close(false));
    document.body.append(dialog);
    dialog.showModal();
    // Start on Cancel: signing must be a deliberate second step.
    dialog.querySelector('button[value="cancel"]').focus();
  });
}

function actionsSection(c) {
  const result = h('div', { class: 'result', 'aria-live': 'polite' });
  const comment = h('textarea', { rows: 2, maxlength: 2000, class: 'wide', name: 'comment' });
  const readOnly = isAuditorOnly();

  const send = async (event, button) => {
    let signature;
    if (event.signature) {
      const signed = await confirmSignature(event.type, event.signature);
      if (!signed) {
        announce('Not signed; nothing was sent.');
        button.focus();
        return;
      }
      signature = { meaning: event.signature };
    }
    button.disabled = true;
    replace(result, h('p', { class: 'loading' }, `Sending ${event.type}…`));
    try {
      const body = {
        type: event.type,
        ...(comment.value.trim() ? { comment: comment.value.trim() } : {}),
        ...(signature ? { signature } : {}),
      };
      const next = await post(`/cases/${c.id}/events`, body, { headers: { 'If-Match': `"${c.version}"` } });
      announce(`${eventLabel(event.type)}: the case is now in ${words(next.state)}`);
      await refresh({
        flash: `${eventLabel(event.type)} done: the case moved to “${words(next.state)}” (version ${next.version}).`,
        focus: '#actions-h',
      });
    } catch (error) {
      button.disabled = false;
      replace(
        result,
        problemView(error),
        error instanceof ApiError && error.status === 409
          ? h(
              'button',
              { type: 'button', class: 'secondary', onclick: () => refresh({ focus: '#actions-h' }) },
              'Reload the case',
            )
          : null,
      );
    }
  };

  const items = c.allowedEvents.map((event) => {
    const blockedId = uid('blocked');
    const button = h(
      'button',
      {
        type: 'button',
        class: event.signature ? 'primary sign' : 'primary',
        disabled: !event.allowed,
        'data-event': event.type,
        'aria-describedby': event.allowed ? null : blockedId,
      },
      eventLabel(event.type),
      event.signature ? h('span', { class: 'sign-mark' }, ' — needs your signature') : null,
    );
    button.addEventListener('click', () => void send(event, button));
    return h(
      'li',
      { class: event.allowed ? 'action' : 'action blocked-action', 'data-event': event.type },
      button,
      h(
        'p',
        { class: 'muted small' },
        h('code', {}, event.type),
        ` → ${words(event.target)} · ${event.roles.join(', ') || 'admin'}`,
        event.signature ? ` · signed: “${event.signature}”` : '',
      ),
      event.description ? h('p', { class: 'small' }, event.description) : null,
      event.allowed
        ? null
        : h(
            'div',
            { class: 'blocked', id: blockedId },
            h('p', { class: 'blocked-title' }, 'Blocked because:'),
            h(
              'ul',
              {},
              [...new Set(event.blockedBy)].map((reason) => h('li', {}, reason)),
            ),
          ),
    );
  });

  return h(
    'section',
    { 'aria-labelledby': 'actions-h', class: 'card actions' },
    h('h2', { id: 'actions-h' }, 'Next steps'),
    readOnly
      ? h('p', { class: 'muted' }, 'Auditors see the case read-only.')
      : c.allowedEvents.length === 0
        ? h('p', { class: 'empty' }, 'No further step: the case has ended.')
        : [field('Comment for the audit log (optional)', comment), h('ul', { class: 'action-list' }, items)],
    result,
  );
}

function requirementsSection(c) {
  const unmet = c.requirements.filter((r) => !r.satisfied);
  return h(
    'section',
    { 'aria-labelledby': 'requirements-h' },
    h('h2', { id: 'requirements-h' }, 'Evidence requirements'),
    h(
      'p',
      { class: unmet.length ? 'summary warn-text' : 'summary ok', id: 'requirements-summary' },
      `${c.requirements.length - unmet.length} of ${c.requirements.length} satisfied.`,
      unmet.length ? ` Missing: ${unmet.map((r) => r.title).join('; ')}.` : ' Nothing is missing.',
    ),
    table(
      'What each step of this case needs',
      ['Requirement', 'Step', 'Status', 'Satisfied by', 'What is missing'],
      c.requirements.map((r) => [
        h('span', {}, r.title, h('br'), h('code', { class: 'small' }, r.kind)),
        words(r.step),
        r.satisfied
          ? badge('satisfied', 'good')
          : badge(words(r.gap ?? 'missing'), r.gap === 'pending-review' ? 'warn' : 'bad'),
        r.satisfiedBy.length
          ? h(
              'ul',
              { class: 'plain' },
              r.satisfiedBy.map((e) =>
                h('li', {}, `${e.originalName} `, h('span', { class: 'muted' }, `(${e.source})`)),
              ),
            )
          : '—',
        r.missing ?? '—',
      ]),
      { empty: 'This case needs no evidence.', captionHidden: true },
    ),
  );
}

function signaturesSection(c) {
  return h(
    'section',
    { 'aria-labelledby': 'signatures-h' },
    h('h2', { id: 'signatures-h' }, 'Signatures'),
    table(
      'Signatures given in this case',
      ['Meaning', 'Signer', 'When', 'SHA-256', 'Standing'],
      c.signatures.map((s) => [
        s.meaning,
        `${s.signer.name} (${s.signer.role})`,
        time(s.at),
        shortHash(s.sha256),
        s.current
          ? badge('current', 'good')
          : h('span', {}, badge('stale', 'bad'), ` ${s.staleBecause ?? ''}`),
      ]),
      { empty: 'No signature yet.', captionHidden: true },
    ),
  );
}

async function workflowSection(c) {
  // The version the case pinned (its workflow.hash), not the one shipped now: a running case
  // follows the procedure it started with (design §3.4).
  const pinned = c.workflow.hash ? `&hash=${encodeURIComponent(c.workflow.hash)}` : '';
  const mermaid = await get(`/workflows/${encodeURIComponent(c.workflow.id)}?format=mermaid${pinned}`);
  const graph = parseMermaid(mermaid);
  const figure = h(
    'figure',
    { class: 'workflow-figure' },
    renderStateGraph(graph, c.state, { title: `${c.workflow.title} v${c.workflow.version}` }),
    h(
      'figcaption',
      {},
      'Current state ',
      h('strong', { id: 'current-state' }, words(c.state)),
      ' is highlighted; the blue arrows are the steps that can follow; dashed arrows go back.',
    ),
  );
  const outgoing = graph.edges;
  return h(
    'div',
    {},
    figure,
    h(
      'details',
      { class: 'transitions' },
      h('summary', {}, `All ${outgoing.length} transitions as text`),
      table(
        'Transitions of the workflow',
        ['From', 'Event', 'To'],
        outgoing.map((e) => [
          e.from === c.state ? h('strong', {}, `${words(e.from)} (current)`) : words(e.from),
          h('code', {}, `${e.event}${e.signed ? ' (signed)' : ''}`),
          words(e.to),
        ]),
        { captionHidden: true },
      ),
    ),
  );
}

export async function casePage(container, id) {
  const c = await get(`/cases/${id}`);
  const variant = await get(`/variants/${c.variantId}`).catch(() => null);
  const evidenceSlot = slot('evidence');
  const workflowSlot = slot('workflow diagram');
  const canUpload = hasRole('customiser', 'legal') && !isAuditorOnly();

  container.append(
    h(
      'nav',
      { 'aria-label': 'Breadcrumb', class: 'breadcrumb' },
      h(
        'ol',
        {},
        h('li', {}, link(isAuditorOnly() ? '#/audit' : '#/', isAuditorOnly() ? 'Auditor view' : 'Overview')),
        variant ? h('li', {}, link(`#/variants/${variant.id}`, variant.name)) : null,
        h('li', { 'aria-current': 'page' }, `${c.regime} case`),
      ),
    ),
    h(
      'h1',
      {},
      `${c.regime} · route ${c.route} · ${c.market}`,
      variant ? h('span', { class: 'subtitle' }, ` — ${variant.name}`) : null,
    ),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'State'),
      h('dd', { id: 'case-state', 'data-state': c.state }, stateBadge(c.state)),
      h('dt', {}, 'Status'),
      h('dd', {}, statusBadge(c.status)),
      h('dt', {}, 'Version'),
      h('dd', { id: 'case-version' }, String(c.version)),
      h('dt', {}, 'Workflow'),
      h('dd', {}, `${c.workflow.title} (`, h('code', {}, `${c.workflow.id} v${c.workflow.version}`), ')'),
      h('dt', {}, 'Opened'),
      h('dd', {}, time(c.openedAt)),
    ),
    h('p', { class: 'state-description' }, c.stateDescription),
    h(
      'div',
      { class: 'case-grid' },
      h(
        'div',
        { class: 'case-main' },
        h(
          'section',
          { 'aria-labelledby': 'workflow-h' },
          h('h2', { id: 'workflow-h' }, 'Workflow'),
          workflowSlot,
        ),
        requirementsSection(c),
        signaturesSection(c),
        h(
          'section',
          { 'aria-labelledby': 'audit-h' },
          h('h2', { id: 'audit-h' }, 'Audit log'),
          verification(`case:${c.id}`, 'case log'),
        ),
      ),
      h(
        'div',
        { class: 'case-side' },
        actionsSection(c),
        h(
          'section',
          { 'aria-labelledby': 'evidence-h' },
          h('h2', { id: 'evidence-h' }, 'Evidence of this variant'),
          evidenceSlot,
        ),
      ),
    ),
  );

  // Once on screen, scroll the diagram (not the page) so that the current state is in view.
  container.afterShow = [
    () => {
      const figure = container.querySelector('.workflow-figure');
      const node = figure?.querySelector('.node.current');
      if (!figure || !node) return;
      const offset = node.getBoundingClientRect().top - figure.getBoundingClientRect().top;
      figure.scrollTop = Math.max(0, figure.scrollTop + offset - figure.clientHeight / 3);
    },
  ];
  await Promise.all([
    fill(workflowSlot, () => workflowSection(c)),
    fill(evidenceSlot, async () => {
      const list = await get(`/variants/${c.variantId}/evidence`);
      const unmet = c.requirements.filter((r) => !r.satisfied);
      const pending = list.own.filter((e) => e.status === 'pending');
      return h(
        'div',
        {},
        canUpload
          ? await uploadForm({
              ownerPath: `variants/${c.variantId}`,
              preferred: [
                ...unmet.map((r) => ({ kind: r.kind, title: r.title, note: words(r.gap ?? 'missing') })),
                ...c.requirements
                  .filter((r) => r.satisfied)
                  .map((r) => ({ kind: r.kind, title: r.title, note: 'satisfied' })),
              ],
              existing: list.own.filter((e) => !e.supersededBy),
              title: 'Upload evidence for this variant',
              focusAfter: '#evidence-h',
            })
          : null,
        h(
          'h3',
          {},
          hasRole('legal')
            ? `Waiting for your review (${pending.length})`
            : `Waiting for review (${pending.length})`,
        ),
        evidenceList('Documents waiting for review', pending, {
          focusAfter: '#evidence-h',
          empty: 'Nothing waits for review.',
        }),
        h(
          'details',
          {},
          h('summary', {}, `All documents (${list.own.length} own, ${list.inherited.length} inherited)`),
          h('h4', {}, 'Own, reviewed'),
          evidenceList(
            'Own reviewed documents',
            list.own.filter((e) => e.status !== 'pending'),
            { review: false, empty: 'No reviewed own documents.' },
          ),
          h('h4', {}, 'Inherited from the base product'),
          evidenceList('Inherited documents', list.inherited, { review: false, empty: 'Nothing inherited.' }),
        ),
      );
    }),
  ]);
}
