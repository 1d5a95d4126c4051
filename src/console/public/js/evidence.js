// Evidence: the tables, the upload form with a progress bar, and the legal team's review.
import { download, post, upload } from './api.js';
import { announce, badge, bytes, field, h, problemView, replace, shortHash, table, uid } from './dom.js';
import { refresh } from './nav.js';
import { evidenceKinds, hasRole } from './session.js';

const STANDING_TONE = {
  current: 'good',
  pending: 'warn',
  rejected: 'bad',
  expired: 'bad',
  superseded: 'neutral',
};
const STANDING_TEXT = {
  current: 'accepted',
  pending: 'pending review',
  rejected: 'rejected',
  expired: 'expired',
  superseded: 'superseded',
};

export function standingBadge(item) {
  return badge(STANDING_TEXT[item.standing] ?? item.standing, STANDING_TONE[item.standing] ?? 'neutral');
}

function downloadButton(item) {
  const result = h('span', { class: 'inline-result', 'aria-live': 'polite' });
  return h(
    'span',
    {},
    h(
      'button',
      {
        type: 'button',
        class: 'link-button',
        'aria-label': `Download ${item.originalName}`,
        onclick: async () => {
          try {
            await download(`/evidence/${item.id}/content`, item.originalName);
            replace(result);
            announce(`Downloading ${item.originalName}`);
          } catch (error) {
            replace(result, problemView(error));
          }
        },
      },
      item.originalName,
    ),
    result,
  );
}

/** Accept / reject with a comment (legal only; the API enforces it too). */
export function reviewControls(item, { focusAfter } = {}) {
  const comment = h('textarea', { rows: 2, required: true, maxlength: 2000, class: 'wide' });
  const result = h('div', { 'aria-live': 'polite' });
  const decide = async (decision) => {
    const text = comment.value.trim();
    if (!text) {
      replace(
        result,
        problemView({
          problem: { title: 'A comment is required', detail: 'Say why you accept or reject the document.' },
        }),
      );
      comment.focus();
      return;
    }
    replace(result, h('p', { class: 'loading' }, 'Saving the review…'));
    try {
      await post(`/evidence/${item.id}/review`, { decision, comment: text });
      announce(`${item.originalName} ${decision}`);
      await refresh({ flash: `${item.kind} “${item.originalName}” ${decision}.`, focus: focusAfter });
    } catch (error) {
      replace(result, problemView(error));
    }
  };
  return h(
    'div',
    { class: 'review', role: 'group', 'aria-label': `Review ${item.kind} ${item.originalName}` },
    field(`Review comment for ${item.originalName}`, comment),
    h(
      'div',
      { class: 'button-row' },
      h('button', { type: 'button', class: 'good', onclick: () => decide('accepted') }, 'Accept'),
      h('button', { type: 'button', class: 'bad', onclick: () => decide('rejected') }, 'Reject'),
    ),
    result,
  );
}

/** One row per item; legal reviewers get accept/reject on pending items. */
export function evidenceTable(caption, items, { inherited = false, review = true, focusAfter, empty } = {}) {
  const canReview = review && hasRole('legal');
  return table(
    caption,
    ['Kind', 'File', 'Issuer', 'Issued', 'Valid until', 'SHA-256', 'Status', ...(inherited ? ['From'] : [])],
    items.map((item) => [
      h('span', {}, h('code', {}, item.kind)),
      h('span', {}, downloadButton(item), h('span', { class: 'muted' }, ` (${bytes(item.size)})`)),
      item.issuer,
      item.issuedAt,
      item.lastValidDay ?? item.validUntil ?? '—',
      shortHash(item.sha256),
      h(
        'div',
        {},
        standingBadge(item),
        item.review ? h('p', { class: 'muted small' }, `“${item.review.comment}”`) : null,
        canReview && item.status === 'pending' && !inherited ? reviewControls(item, { focusAfter }) : null,
      ),
      ...(inherited
        ? [item.inheritedFrom ? `${item.inheritedFrom.productKey} ${item.inheritedFrom.designVersion}` : '—']
        : []),
    ]),
    { empty: empty ?? 'No documents.' },
  );
}

/** The same items as a compact list, for narrow columns (the case page's side). */
export function evidenceList(label, items, { review = true, focusAfter, empty } = {}) {
  if (items.length === 0) return h('p', { class: 'empty' }, empty ?? 'No documents.');
  const canReview = review && hasRole('legal');
  return h(
    'ul',
    { class: 'evidence-list', 'aria-label': label },
    items.map((item) =>
      h(
        'li',
        { class: 'evidence-item', 'data-evidence': item.id },
        h('p', { class: 'evidence-head' }, h('code', {}, item.kind), ' ', standingBadge(item)),
        h('p', {}, downloadButton(item), h('span', { class: 'muted' }, ` (${bytes(item.size)})`)),
        h(
          'p',
          { class: 'muted small' },
          `Issued by ${item.issuer} on ${item.issuedAt}`,
          item.lastValidDay ? `, valid until ${item.lastValidDay}` : '',
          item.inheritedFrom
            ? ` · inherited from ${item.inheritedFrom.productKey} ${item.inheritedFrom.designVersion}`
            : '',
          ' · SHA-256 ',
          shortHash(item.sha256),
        ),
        item.review ? h('p', { class: 'muted small' }, `Review: “${item.review.comment}”`) : null,
        canReview && item.status === 'pending' && !item.inheritedFrom
          ? reviewControls(item, { focusAfter })
          : null,
      ),
    ),
  );
}

function today() {
  return new Date().toISOString().slice(0, 10);
}

/**
 * The upload form: `ownerPath` is `variants/<id>` or `products/<id>`. `preferred` kinds (e.g. what
 * a case is missing) are listed first; `existing` items can be superseded.
 */
export async function uploadForm({
  ownerPath,
  preferred = [],
  existing = [],
  title = 'Upload evidence',
  focusAfter,
}) {
  const kinds = await evidenceKinds();
  const kindSelect = h('select', { name: 'kind', required: true, class: 'wide' });
  const preferredSet = new Set(preferred.map((p) => p.kind));
  if (preferred.length) {
    kindSelect.append(
      h(
        'optgroup',
        { label: 'Needed by this case' },
        preferred.map((p) =>
          h('option', { value: p.kind }, `${p.title} (${p.kind})${p.note ? ` — ${p.note}` : ''}`),
        ),
      ),
    );
  }
  kindSelect.append(
    h(
      'optgroup',
      { label: preferred.length ? 'Other kinds' : 'Evidence kinds' },
      kinds
        .filter((k) => !preferredSet.has(k.id))
        .map((k) => h('option', { value: k.id }, `${k.title} (${k.id})`)),
    ),
  );
  const file = h('input', { type: 'file', name: 'file', required: true, class: 'wide' });
  const issuer = h('input', {
    type: 'text',
    name: 'issuer',
    required: true,
    maxlength: 200,
    autocomplete: 'organization',
    class: 'wide',
  });
  const issuedAt = h('input', { type: 'date', name: 'issuedAt', required: true, value: today() });
  const validUntil = h('input', { type: 'date', name: 'validUntil' });
  const supersedes = h(
    'select',
    { name: 'supersedes', class: 'wide' },
    h('option', { value: '' }, '— a new document, replaces nothing —'),
    existing.map((e) => h('option', { value: e.id }, `${e.kind}: ${e.originalName} (${e.issuedAt})`)),
  );
  const progressId = uid('progress');
  const progress = h('progress', { id: progressId, max: 100, value: 0 });
  const progressText = h('span', { class: 'progress-text' }, '');
  const progressBlock = h(
    'div',
    { class: 'progress', hidden: true },
    h('label', { for: progressId }, 'Upload progress'),
    progress,
    progressText,
  );
  const result = h('div', { class: 'result', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Upload');
  const headingId = uid('upload-h');

  const form = h(
    'form',
    {
      class: 'upload card',
      'aria-labelledby': headingId,
      onsubmit: async (event) => {
        event.preventDefault();
        if (!form.reportValidity()) return;
        const chosen = file.files?.[0];
        if (!chosen) return;
        const data = new FormData();
        data.append('kind', kindSelect.value);
        data.append('issuer', issuer.value.trim());
        data.append('issuedAt', issuedAt.value);
        if (validUntil.value) data.append('validUntil', validUntil.value);
        if (supersedes.value) data.append('supersedes', supersedes.value);
        // The file goes last: the service reads the fields before it streams the bytes.
        data.append('file', chosen, chosen.name);
        submit.disabled = true;
        progressBlock.hidden = false;
        progress.value = 0;
        progressText.textContent = ' 0 %';
        replace(result, h('p', { class: 'loading' }, `Uploading ${chosen.name}…`));
        announce(`Uploading ${chosen.name}`);
        try {
          const created = await upload(`/${ownerPath}/evidence`, data, (loaded, total) => {
            const pct = total > 0 ? Math.round((loaded / total) * 100) : 100;
            progress.value = pct;
            progressText.textContent = ` ${pct} % (${bytes(loaded)} of ${bytes(total)})`;
          });
          progress.value = 100;
          progressText.textContent = ' 100 %';
          announce(`Uploaded ${created.originalName}: pending review`);
          await refresh({
            flash: `Uploaded ${created.kind} “${created.originalName}” (SHA-256 ${created.sha256.slice(0, 12)}…): it counts once the legal team accepts it.`,
            focus: focusAfter,
          });
        } catch (error) {
          replace(result, problemView(error));
          submit.disabled = false;
        }
      },
    },
    h('h3', { id: headingId }, title),
    h(
      'div',
      { class: 'form-grid' },
      field('Evidence kind', kindSelect),
      field('File', file, 'PDF or any document; its type is detected from the bytes.'),
      field('Issuer', issuer, 'Who issued the document, e.g. the test laboratory.'),
      field('Issued on', issuedAt),
      field('Valid until (optional)', validUntil),
      existing.length
        ? field('Replaces (optional)', supersedes, 'A new version of an earlier document of yours.')
        : null,
    ),
    submit,
    progressBlock,
    result,
  );
  return form;
}
