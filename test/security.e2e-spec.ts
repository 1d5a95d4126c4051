import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { API, bearer, createActor, startApp, type Actor, type TestApp } from './support/app-harness.js';
import { createProduct, createVariant, upload } from './support/fixtures.js';
import { expectProblem, rawRequest } from './support/http-probes.js';
import { snapshotState } from './support/state-snapshot.js';

/*
 * Security properties that do not depend on the database (SQLite only): response headers, the
 * JSON body limit, and the limit on failed authentications per client address. The limits are
 * set low here so that the tests are quick.
 */

const JSON_LIMIT = 4096;
const FAILURES = 5;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** A request from a chosen loopback address (each test uses its own, as if another client). */
function from(
  t: TestApp,
  address: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const url = new URL(`${t.url}${path}`);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'GET', headers, localAddress: address }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('security', () => {
  let t: TestApp;
  let customiser: Actor;
  let variantId: string;

  beforeAll(async () => {
    t = await startApp('sqlite', {
      JSON_BODY_MAX_BYTES: String(JSON_LIMIT),
      AUTH_FAILURES_PER_MINUTE: String(FAILURES),
    });
    const maintainer = await createActor(t, ['maintainer'], 'Commons design team');
    customiser = await createActor(t, ['customiser'], 'Workshop A');
    const productId = await createProduct(t, maintainer.token);
    variantId = await createVariant(t, customiser.token, productId, 'mill-1500w', { motorPowerW: 1500 });
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('response headers', () => {
    function expectSecurityHeaders(
      res: { headers: Record<string, string | string[] | undefined> },
      what: string,
    ) {
      const h = res.headers;
      const csp = String(h['content-security-policy'] ?? '');
      const directives = new Map(
        csp
          .split(';')
          .map((d) => d.trim().split(/\s+/))
          .filter((d) => d[0])
          .map(([name, ...values]) => [name, values]),
      );
      expect({ what, csp: directives.get('default-src') }).toEqual({ what, csp: ["'self'"] });
      expect({ what, csp: directives.get('script-src') }).toEqual({ what, csp: ["'self'"] });
      expect({ what, csp: directives.get('object-src') }).toEqual({ what, csp: ["'none'"] });
      expect({ what, csp: directives.get('frame-ancestors') }).toEqual({ what, csp: ["'self'"] });
      expect({ what, csp: directives.get('base-uri') }).toEqual({ what, csp: ["'self'"] });
      expect({ what, csp }).not.toEqual({ what, csp: expect.stringContaining('unsafe-eval') });
      const hsts = String(h['strict-transport-security'] ?? '');
      // At least 180 days, subdomains included.
      expect({ what, maxAge: Number(/max-age=(\d+)/.exec(hsts)?.[1]) >= 180 * 86400 }).toEqual({
        what,
        maxAge: true,
      });
      expect({ what, hsts }).toEqual({ what, hsts: expect.stringContaining('includeSubDomains') });
      expect({
        what,
        nosniff: h['x-content-type-options'],
        frame: h['x-frame-options'],
        referrer: h['referrer-policy'],
        opener: h['cross-origin-opener-policy'],
        resource: h['cross-origin-resource-policy'],
        poweredBy: h['x-powered-by'],
      }).toEqual({
        what,
        nosniff: 'nosniff',
        frame: 'SAMEORIGIN',
        referrer: 'no-referrer',
        opener: 'same-origin',
        resource: 'same-origin',
        poweredBy: undefined,
      });
    }

    it('sends them on API answers, problems, parser errors, the console and the docs', async () => {
      const auth = bearer(customiser.token);
      const answers: [string, { headers: Record<string, string | string[] | undefined> }][] = [
        ['200 JSON', await t.http.get(`${API}/me`).set('Authorization', auth)],
        ['health', await t.http.get(`${API}/health`)],
        ['401', await t.http.get(`${API}/me`)],
        ['404 route', await t.http.get(`${API}/nothing-here`).set('Authorization', auth)],
        [
          '400 body parser',
          await t.http.post(`${API}/organisations`).set('Content-Type', 'application/json').send('{'),
        ],
        ['console', await t.http.get('/')],
        ['docs', await t.http.get('/api/docs-json')],
      ];
      for (const [what, res] of answers) expectSecurityHeaders(res, what);
    });

    it('serves uploaded documents as attachments that the browser must not sniff or run', async () => {
      const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
      const uploaded = await upload(t, customiser.token, `variants/${variantId}`, {
        kind: 'technical-drawings',
        file: svg,
        filename: 'drawing.html',
      });
      expect(uploaded.status).toBe(201);
      const res = await t.http
        .get(`${API}/evidence/${uploaded.body.id}/content`)
        .set('Authorization', bearer(customiser.token));
      expect(res.status).toBe(200);
      expect(res.headers['content-disposition']).toMatch(/^attachment;/);
      expect(res.headers['content-type']).not.toMatch(/html/);
      expectSecurityHeaders(res, 'evidence download');
    });
  });

  describe('JSON body limit', () => {
    const body = (size: number) => {
      const prefix = '{"name":"';
      const suffix = '"}';
      return prefix + 'a'.repeat(size - prefix.length - suffix.length) + suffix;
    };

    it('accepts a body of JSON_BODY_MAX_BYTES and answers 413 one byte over it, writing nothing', async () => {
      const post = (text: string) =>
        t.http
          .post(`${API}/organisations`)
          .set('Authorization', bearer(t.adminToken))
          .set('Content-Type', 'application/json')
          .send(text);
      // At the limit the body is read: the name is too long for an organisation (400, not 413).
      const atLimit = await post(body(JSON_LIMIT));
      expectProblem(atLimit, 400);
      expect(atLimit.body.code).toBe('VALIDATION_FAILED');
      const before = await snapshotState(t);
      const over = await post(body(JSON_LIMIT + 1));
      expectProblem(over, 413);
      expect(over.body.code).toBe('PAYLOAD_TOO_LARGE');
      const huge = await post(body(5 * 1024 * 1024));
      expectProblem(huge, 413);
      expect(await snapshotState(t)).toEqual(before);
    });

    it('applies the limit to chunked bodies and +json media types, before authentication', async () => {
      const text = body(JSON_LIMIT * 3);
      const chunked = await rawRequest(
        t.url,
        `POST ${API}/organisations HTTP/1.1\r\nHost: x\r\nContent-Type: application/merge-patch+json\r\n` +
          `Transfer-Encoding: chunked\r\n\r\n${text.length.toString(16)}\r\n${text}\r\n0\r\n\r\n`,
      );
      expectProblem(chunked, 413);
    });
  });

  describe('failed authentications', () => {
    it('answers 429 with Retry-After once an address has failed AUTH_FAILURES_PER_MINUTE times', async () => {
      const address = '127.0.0.2';
      for (let i = 0; i < FAILURES; i++) {
        const res = await from(t, address, `${API}/me`, {
          Authorization: 'Bearer cf_AAAAAAAAAAAAAAAA_' + 'x'.repeat(43),
        });
        expectProblem(res, 401);
      }
      const limited = await from(t, address, `${API}/me`, { Authorization: 'Bearer wrong' });
      expectProblem(limited, 429);
      const retryAfter = Number(limited.headers['retry-after']);
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      // Guessing stays blocked even with the right token: a 429 tells a guesser nothing.
      expectProblem(await from(t, address, `${API}/me`, { Authorization: bearer(customiser.token) }), 429);
      // The liveness check needs no token and stays reachable.
      expect((await from(t, address, `${API}/health`)).status).toBe(200);
      // Another client is not affected.
      expect(
        (await from(t, '127.0.0.3', `${API}/me`, { Authorization: bearer(customiser.token) })).status,
      ).toBe(200);
      expectProblem(await from(t, '127.0.0.3', `${API}/me`, { Authorization: 'Bearer wrong' }), 401);
    });

    it('counts failures by the connection, not by a client-supplied X-Forwarded-For', async () => {
      const address = '127.0.0.4';
      for (let i = 0; i < FAILURES; i++) {
        await from(t, address, `${API}/me`, {
          Authorization: 'Bearer wrong',
          'X-Forwarded-For': `10.0.0.${i}`,
        });
      }
      expectProblem(
        await from(t, address, `${API}/me`, { Authorization: 'Bearer wrong', 'X-Forwarded-For': '10.9.9.9' }),
        429,
      );
    });

    it('does not count successful calls or calls without a token', async () => {
      const address = '127.0.0.5';
      for (let i = 0; i < FAILURES * 3; i++) {
        expect(
          (await from(t, address, `${API}/me`, { Authorization: bearer(customiser.token) })).status,
        ).toBe(200);
        expectProblem(await from(t, address, `${API}/me`), 401);
      }
      expect((await from(t, address, `${API}/me`, { Authorization: bearer(customiser.token) })).status).toBe(
        200,
      );
    });
  });
});
