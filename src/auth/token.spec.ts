import { describe, expect, it, jest } from '@jest/globals';

/*
 * Token secrets are compared in constant time: the stored SHA-256 and the SHA-256 of the offered
 * secret go through crypto.timingSafeEqual, always as two 32-byte buffers, so neither the length
 * nor the first differing byte of a guess changes how long the comparison takes.
 */

const actual = await import('node:crypto');
const timingSafeEqual = jest.fn(actual.timingSafeEqual);
jest.unstable_mockModule('node:crypto', () => ({ ...actual, default: actual, timingSafeEqual }));
const { issueToken, parseToken, secretMatches } = await import('./token.js');

describe('bearer tokens', () => {
  it('issue cf_<id>_<secret> and keep only the SHA-256 of the secret', () => {
    const issued = issueToken();
    const parsed = parseToken(issued.token);
    expect(parsed?.id).toBe(issued.id);
    expect(issued.secretSha256).toBe(
      actual
        .createHash('sha256')
        .update(parsed?.secret ?? '')
        .digest('hex'),
    );
    expect(issued.token).not.toContain(issued.secretSha256);
  });

  it('compare secrets with timingSafeEqual over equal-length digests, whatever is offered', () => {
    const issued = issueToken();
    const secret = parseToken(issued.token)?.secret ?? '';
    const offers = [secret, `${secret.slice(0, -1)}A`, secret.slice(0, 5), secret.repeat(3), ''];
    const results = offers.map((offer) => {
      timingSafeEqual.mockClear();
      const matches = secretMatches(offer, issued.secretSha256);
      expect(timingSafeEqual).toHaveBeenCalledTimes(1);
      const [a, b] = timingSafeEqual.mock.calls[0] as [Buffer, Buffer];
      expect([a.length, b.length]).toEqual([32, 32]);
      return matches;
    });
    expect(results).toEqual([true, false, false, false, false]);
  });

  it('never match, and never throw, against a stored digest of the wrong shape', () => {
    for (const stored of ['', 'zz', 'ab'.repeat(31), 'ab'.repeat(33)]) {
      expect(secretMatches('anything', stored)).toBe(false);
    }
  });

  it('parse only well-formed tokens', () => {
    const { token } = issueToken();
    for (const bad of [
      '',
      'cf_',
      token.slice(0, -1),
      `${token}x`,
      token.replace('cf_', 'CF_'),
      ` ${token}`,
      `${token}\n`,
    ]) {
      expect(parseToken(bad)).toBeUndefined();
    }
  });
});
