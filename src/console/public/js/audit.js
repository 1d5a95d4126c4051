// The audit-chain check of a stream (GET /audit/{stream}/verify): valid, length, head, first bad seq.
import { get } from './api.js';
import { badge, fill, h, shortHash, slot } from './dom.js';

export function verification(stream, label = stream) {
  const out = slot(`the audit check of ${label}`);
  out.classList.add('verification');
  out.dataset.stream = stream;
  void fill(out, async () => {
    const v = await get(`/audit/${encodeURIComponent(stream)}/verify`);
    return h(
      'p',
      { class: v.valid ? 'ok' : 'bad-text', 'data-valid': String(v.valid) },
      badge(v.valid ? 'chain valid' : 'chain BROKEN', v.valid ? 'good' : 'bad'),
      ` ${label}: ${v.length} record${v.length === 1 ? '' : 's'}, head `,
      shortHash(v.head),
      v.valid ? '' : ` — first bad record: seq ${v.firstBadSeq}`,
    );
  });
  return out;
}
