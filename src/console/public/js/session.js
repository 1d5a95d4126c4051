// Who is signed in, and the content vocabulary, loaded once per sign-in.
import { get } from './api.js';

export const session = { me: null, content: null };

/** The caller holds one of the roles; admin may do everything (design §2). */
export function hasRole(...roles) {
  const mine = session.me?.roles ?? [];
  return mine.includes('admin') || mine.some((r) => roles.includes(r));
}

/** Only the auditor role: the read-only auditor view is home. */
export function isAuditorOnly() {
  const mine = session.me?.roles ?? [];
  return mine.length > 0 && mine.every((r) => r === 'auditor');
}

/** GET /content, once: evidence kinds and regimes with their titles. */
export async function content() {
  session.content ??= await get('/content');
  return session.content;
}

export async function evidenceKinds() {
  return (await content()).evidenceKinds;
}

export async function kindTitle(kind) {
  const found = (await evidenceKinds()).find((k) => k.id === kind);
  return found ? found.title : kind;
}

export async function regimeTitle(regime) {
  const found = (await content()).regimes.find((r) => r.id === regime);
  return found ? found.title : regime;
}
