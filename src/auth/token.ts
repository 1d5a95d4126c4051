import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Bearer tokens are `cf_<id>_<secret>`: the id finds the stored row, the secret is stored only as
 * its SHA-256 and compared in constant time. 32 random bytes of secret make guessing hopeless and
 * a fast hash sufficient.
 */
export interface IssuedToken {
  id: string;
  secretSha256: string;
  /** The whole token, shown once. */
  token: string;
}

const TOKEN = /^cf_([A-Za-z0-9]{16})_([A-Za-z0-9_-]{43})$/;

export function issueToken(): IssuedToken {
  const id = randomBytes(12).toString('base64url').replace(/[-_]/g, 'x').slice(0, 16);
  const secret = randomBytes(32).toString('base64url');
  return { id, secretSha256: sha256(secret), token: `cf_${id}_${secret}` };
}

export function parseToken(token: string): { id: string; secret: string } | undefined {
  const match = TOKEN.exec(token);
  return match ? { id: match[1], secret: match[2] } : undefined;
}

export function secretMatches(secret: string, storedSha256: string): boolean {
  const a = Buffer.from(sha256(secret), 'hex');
  const b = Buffer.from(storedSha256, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
