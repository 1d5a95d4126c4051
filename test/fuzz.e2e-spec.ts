import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DossiersService } from '../src/dossiers/dossiers.service.js';
import {
  API,
  bearer,
  createActor,
  REPO_ROOT,
  startApp,
  type Actor,
  type TestApp,
} from './support/app-harness.js';
import { DATABASE_KINDS } from './support/databases.js';
import { createProduct, createVariant, MILL, samplePdf, upload, openCase } from './support/fixtures.js';
import {
  eventually,
  expectProblem,
  multipartBody,
  rawRequest,
  type Part,
  type ProbedResponse,
} from './support/http-probes.js';
import { snapshotState, type StateSnapshot } from './support/state-snapshot.js';

/*
 * Property-based tests: bad input of every kind at every endpoint. Whatever arrives, the answer is
 * never a 5xx; a 4xx is an RFC 9457 problem document without stack traces or SQL; and a request
 * answered 4xx changed nothing: every table's row count, every audit stream's length and head,
 * case versions, dossier states, and the files of the blob store (temporary files included) and
 * the dossier folder are as before.
 */

// The HTTP runs are bounded by request count; these keep the whole file well under a minute.
const RUNS = { bodies: 15, text: 50, ids: 4, headers: 80, multipart: 60 };

type Method = 'GET' | 'POST' | 'DELETE';

interface Endpoint {
  method: Method;
  /** Path template below /api/v1; `{id}` is filled from `ids`. */
  path: string;
  /** Who may call it (a token), so that bad input, not the role, decides the answer. */
  as: () => string;
  /** A valid JSON body, for JSON endpoints. */
  body?: () => Record<string, unknown>;
  multipart?: boolean;
  /** The id that makes the path real. */
  id?: () => string;
  /** What the valid call answers, when not a 2xx. */
  baseline?: number;
}

/** Strings that have broken services before: empty, NUL, lone surrogates, injections, huge. */
const nastyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({
    unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
    maxLength: 3,
  }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800',
    '\udfff\ud800',
    '\u202e\u0301',
    '💥',
    'null',
    'true',
    '-1',
    '1e309',
    'NaN',
    "'; DROP TABLE users; --",
    "' OR '1'='1",
    '${7*7}{{7*7}}',
    '<script>alert(1)</script>',
    '../../../../etc/passwd',
    '%00%2e%2e%2f',
    '\\',
    '__proto__',
    'constructor',
    'x'.repeat(5000),
  ),
);

/**
 * Nesting deeper than the service takes, of arrays or objects (JSON.stringify itself overflows the
 * stack far deeper; the deepest bodies are sent as text below).
 */
const deep = fc
  .tuple(fc.integer({ min: 33, max: 1000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays
      ? JSON.parse('['.repeat(depth) + ']'.repeat(depth))
      : JSON.parse('{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
  );

/** A value of some other type, or of the right type but unacceptable. */
const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  fc.dictionary(nastyString, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  deep,
);

/** A valid body changed in one way: a member of a wrong value, an unknown member, a missing member, anything. */
function badBody(valid: Record<string, unknown>): fc.Arbitrary<unknown> {
  const keys = Object.keys(valid);
  return fc.oneof(
    fc.tuple(fc.constantFrom(...keys), wrongValue).map(([key, value]) => ({ ...valid, [key]: value })),
    fc.tuple(nastyString, fc.jsonValue({ maxDepth: 2 })).map(([key, value]) => ({ ...valid, [key]: value })),
    fc
      .constantFrom(...keys)
      .map((key) => Object.fromEntries(Object.entries(valid).filter(([k]) => k !== key))),
    fc.jsonValue({ maxDepth: 3 }),
    deep,
  );
}

describe.each(DATABASE_KINDS)('bad input on %s', (kind) => {
  let t: TestApp;
  let maintainer: Actor;
  let customiser: Actor;
  let legal: Actor;
  let auditor: Actor;
  let productId: string;
  let variantId: string;
  let caseId: string;
  let evidenceId: string;
  let dossierId: string;
  let tokenId: string;
  let state: StateSnapshot;
  let counter = 0;
  const unique = (prefix: string) => `${prefix}-${kind}-${++counter}`;

  const endpoints: Endpoint[] = [
    { method: 'GET', path: '/health', as: () => customiser.token },
    { method: 'GET', path: '/me', as: () => customiser.token },
    { method: 'GET', path: '/content', as: () => customiser.token },
    { method: 'GET', path: '/regimes?market=EU', as: () => customiser.token },
    { method: 'GET', path: '/workflows/{id}', as: () => customiser.token, id: () => 'eu-module-a' },
    {
      method: 'POST',
      path: '/organisations',
      as: () => t.adminToken,
      body: () => ({ name: unique('Workshop') }),
    },
    { method: 'GET', path: '/organisations', as: () => t.adminToken },
    {
      method: 'POST',
      path: '/users',
      as: () => t.adminToken,
      body: () => ({
        name: 'Grace',
        email: `${unique('grace')}@example.org`,
        organisationId: customiser.organisationId,
        roles: ['customiser'],
      }),
    },
    { method: 'GET', path: '/users', as: () => t.adminToken },
    { method: 'POST', path: '/users/{id}/tokens', as: () => t.adminToken, id: () => customiser.userId },
    { method: 'GET', path: '/users/{id}/tokens', as: () => t.adminToken, id: () => customiser.userId },
    {
      method: 'DELETE',
      path: '/users/{id}/tokens/{tokenId}',
      as: () => t.adminToken,
      id: () => customiser.userId,
      baseline: 204,
    },
    {
      method: 'POST',
      path: '/products',
      as: () => maintainer.token,
      body: () => ({ ...MILL, key: unique('mill') }),
    },
    { method: 'GET', path: '/products', as: () => customiser.token },
    { method: 'GET', path: '/products/{id}', as: () => customiser.token, id: () => productId },
    {
      method: 'POST',
      path: '/products/{id}/variants',
      as: () => customiser.token,
      id: () => productId,
      body: () => ({ key: unique('v'), name: 'Variant', overrides: { motorPowerW: 1200 } }),
    },
    { method: 'GET', path: '/products/{id}/variants', as: () => customiser.token, id: () => productId },
    { method: 'GET', path: '/variants', as: () => customiser.token },
    { method: 'GET', path: '/variants/{id}', as: () => customiser.token, id: () => variantId },
    {
      method: 'GET',
      path: '/variants/{id}/applicability?markets=EU,US',
      as: () => customiser.token,
      id: () => variantId,
    },
    {
      method: 'POST',
      path: '/auditor-grants',
      as: () => legal.token,
      body: () => ({ userId: auditor.userId, variantId, expiresAt: '2099-01-01T00:00:00.000Z' }),
    },
    { method: 'GET', path: '/auditor-grants', as: () => legal.token },
    {
      method: 'POST',
      path: '/products/{id}/evidence',
      as: () => maintainer.token,
      id: () => productId,
      multipart: true,
    },
    { method: 'GET', path: '/products/{id}/evidence', as: () => customiser.token, id: () => productId },
    {
      method: 'POST',
      path: '/variants/{id}/evidence',
      as: () => customiser.token,
      id: () => variantId,
      multipart: true,
    },
    { method: 'GET', path: '/variants/{id}/evidence', as: () => customiser.token, id: () => variantId },
    { method: 'GET', path: '/evidence/{id}', as: () => customiser.token, id: () => evidenceId },
    { method: 'GET', path: '/evidence/{id}/content', as: () => customiser.token, id: () => evidenceId },
    {
      method: 'POST',
      path: '/evidence/{id}/review',
      as: () => legal.token,
      id: () => evidenceId,
      body: () => ({ decision: 'rejected', comment: 'not the right report' }),
    },
    {
      method: 'POST',
      path: '/variants/{id}/cases',
      as: () => customiser.token,
      id: () => variantId,
      body: () => ({ regime: 'eu-emc', route: 'A' }),
    },
    { method: 'GET', path: '/variants/{id}/cases', as: () => customiser.token, id: () => variantId },
    { method: 'GET', path: '/cases', as: () => customiser.token },
    { method: 'GET', path: '/cases/{id}', as: () => customiser.token, id: () => caseId },
    {
      method: 'POST',
      path: '/cases/{id}/events',
      as: () => legal.token,
      id: () => caseId,
      body: () => ({ type: 'COMPLETE_SCOPING', comment: 'scope checked' }),
      baseline: 422, // the scoping evidence is missing
    },
    {
      method: 'POST',
      path: '/variants/{id}/dossiers',
      as: () => legal.token,
      id: () => variantId,
      body: () => ({ market: 'US' }),
    },
    { method: 'GET', path: '/variants/{id}/dossiers', as: () => customiser.token, id: () => variantId },
    { method: 'GET', path: '/dossiers/{id}', as: () => customiser.token, id: () => dossierId },
    { method: 'GET', path: '/dossiers/{id}/pdf', as: () => customiser.token, id: () => dossierId },
    { method: 'GET', path: '/dossiers/{id}/manifest', as: () => customiser.token, id: () => dossierId },
    { method: 'GET', path: '/dossiers/{id}/bundle', as: () => customiser.token, id: () => dossierId },
    { method: 'GET', path: '/audit/{id}', as: () => legal.token, id: () => `variant:${variantId}` },
    { method: 'GET', path: '/audit/{id}/verify', as: () => legal.token, id: () => `case:${caseId}` },
  ];
  const jsonEndpoints = endpoints.filter((e) => e.body);
  const idEndpoints = endpoints.filter((e) => e.id);
  const uploadEndpoints = endpoints.filter((e) => e.multipart);

  const pathOf = (e: Endpoint, id = e.id?.()) =>
    `${API}${e.path.replace('{id}', id ?? '').replace('{tokenId}', tokenId)}`;

  function request(
    e: Endpoint,
    options: { path?: string; token?: string | null; headers?: Record<string, string>; body?: unknown } = {},
  ) {
    const method = e.method === 'GET' ? 'get' : e.method === 'DELETE' ? 'delete' : 'post';
    let req = t.http[method](options.path ?? pathOf(e));
    const token = options.token === undefined ? e.as() : options.token;
    if (token !== null) req = req.set('Authorization', bearer(token));
    for (const [name, value] of Object.entries(options.headers ?? {})) req = req.set(name, value);
    if (options.body !== undefined) req = req.send(options.body as object);
    return req;
  }

  /**
   * The invariant of every answer: no 5xx, problems for errors, and a request answered 4xx left
   * everything as it was. A 2xx (random input can be valid) takes a new snapshot.
   */
  async function expectSafe(res: ProbedResponse, what: string): Promise<void> {
    if (res.status >= 500 || res.status === 0) {
      throw new Error(`${what}: answered ${res.status}: ${res.text.slice(0, 500)}`);
    }
    if (res.status >= 400) {
      expectProblem(res);
      const after = await snapshotState(t);
      if (JSON.stringify(after) !== JSON.stringify(state)) {
        expect({ what, after }).toEqual({ what, after: state });
      }
    } else {
      await t.app.get(DossiersService).idle();
      state = await snapshotState(t);
    }
  }

  beforeAll(async () => {
    // Every bad Authorization header counts as a failed authentication: lift the limit here
    // (test/security.e2e-spec.ts tests it).
    t = await startApp(kind, { AUTH_FAILURES_PER_MINUTE: '1000000', JSON_BODY_MAX_BYTES: '65536' });
    maintainer = await createActor(t, ['maintainer'], 'Commons design team');
    customiser = await createActor(t, ['customiser'], 'Workshop A');
    // A token of the customiser's own that DELETE /users/{id}/tokens/{tokenId} may revoke.
    tokenId = (
      await t.http.post(`${API}/users/${customiser.userId}/tokens`).set('Authorization', bearer(t.adminToken))
    ).body.id;
    legal = await createActor(t, ['legal'], 'Legal team');
    auditor = await createActor(t, ['auditor'], 'Audit firm');
    productId = await createProduct(t, maintainer.token, {
      ...MILL,
      attributes: { ...MILL.attributes, placingOnMarket: '2027-03-01' },
    });
    variantId = await createVariant(t, customiser.token, productId, 'mill-1500w', { motorPowerW: 1500 });
    const opened = await openCase(t, customiser.token, variantId, 'eu-mr', 'A');
    caseId = opened.id;
    const uploaded = await upload(t, customiser.token, `variants/${variantId}`, { kind: 'risk-assessment' });
    expect(uploaded.status).toBe(201);
    evidenceId = uploaded.body.id;
    const dossier = await t.http
      .post(`${API}/variants/${variantId}/dossiers`)
      .set('Authorization', bearer(legal.token))
      .send({ market: 'US' });
    expect(dossier.status).toBe(202);
    dossierId = dossier.body.id;
    await t.app.get(DossiersService).idle();
    state = await snapshotState(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('covers every operation of the OpenAPI document', () => {
    const document = JSON.parse(readFileSync(join(REPO_ROOT, 'openapi.json'), 'utf8')) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace(/^\/api\/v1/, '')}`),
    );
    const covered = endpoints.map(
      (e) => `${e.method} ${e.path.replace(/\?.*/, '').replace('/audit/{id}', '/audit/{stream}')}`,
    );
    expect([...new Set(covered)].sort()).toEqual(documented.sort());
  });

  it('answers every endpoint, called properly, without a server error (the baseline)', async () => {
    for (const e of endpoints) {
      const res = e.multipart
        ? await request(e)
            .field('kind', 'instructions')
            .field('issuer', 'Lab')
            .field('issuedAt', '2026-10-01')
            .attach('file', samplePdf(unique('doc')), 'doc.pdf')
        : await request(e, { body: e.body?.() });
      const ok = e.baseline ? res.status === e.baseline : res.status < 300;
      expect({ endpoint: `${e.method} ${e.path}`, ok }).toEqual({
        endpoint: `${e.method} ${e.path}`,
        ok: true,
      });
      await expectSafe(res, `${e.method} ${e.path}`);
    }
  });

  it('answers JSON bodies of wrong types, unknown or missing members, deep nesting with a 4xx and writes nothing', async () => {
    for (const e of jsonEndpoints) {
      await fc.assert(
        fc.asyncProperty(badBody(e.body?.() ?? {}), async (body) => {
          const res = await request(e, {
            body: JSON.stringify(body),
            headers: { 'Content-Type': 'application/json' },
          });
          await expectSafe(res, `${e.method} ${e.path} ${JSON.stringify(body).slice(0, 200)}`);
        }),
        { numRuns: RUNS.bodies },
      );
    }
  });

  it('refuses bodies the service cannot hold with exactly 400: too deep, NUL, unpaired surrogates, __proto__', async () => {
    const e = jsonEndpoints.find((x) => x.path === '/products/{id}/variants') as Endpoint;
    const valid = e.body?.() as Record<string, unknown>;
    const cases: [string, string][] = [
      [
        'deep',
        `{"key":"${valid.key}","name":"x","overrides":{"motorPowerW":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`,
      ],
      [
        'deep name',
        `{"key":"${valid.key}","name":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)},"overrides":{}}`,
      ],
      ['NUL', JSON.stringify({ ...valid, name: 'a\u0000b' })],
      ['surrogate', JSON.stringify({ ...valid, name: 'a\ud800b' })],
      ['__proto__', `{"key":"${valid.key}","name":"x","overrides":{"__proto__":{"motorPowerW":1}}}`],
      ['constructor', `{"key":"${valid.key}","name":"x","overrides":{"constructor":1}}`],
    ];
    for (const [what, text] of cases) {
      const res = await request(e, { body: text, headers: { 'Content-Type': 'application/json' } });
      expect({ what, status: res.status }).toEqual({ what, status: 400 });
      await expectSafe(res, what);
    }
    // On PostgreSQL a NUL in a text column was a 500; an unpaired surrogate broke the audit hash.
    const nulIssuer = await upload(t, customiser.token, `variants/${variantId}`, {
      kind: 'emc-test-report',
      issuer: 'Lab\u0000',
    });
    expectProblem(nulIssuer, 400);
    await expectSafe(nulIssuer, 'multipart issuer with NUL');
    for (const name of ['a\u0000b', '\ud800']) {
      const res = await t.http
        .post(`${API}/organisations`)
        .set('Authorization', bearer(t.adminToken))
        .send({ name });
      expectProblem(res, 400);
      await expectSafe(res, `organisation ${JSON.stringify(name)}`);
    }
  });

  it('answers malformed JSON text and bodies over the limit with a 4xx and writes nothing', async () => {
    const corrupt = fc
      .tuple(
        fc.constantFrom(...jsonEndpoints),
        fc.nat(),
        fc.oneof(
          fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }),
          fc.constantFrom('{', '}', '"', ',', ':', '\\', '\u0000'),
        ),
        fc.constantFrom('insert', 'truncate', 'replace'),
      )
      .map(([e, at, chars, how]) => {
        const text = JSON.stringify(e.body?.());
        const i = at % text.length;
        const mangled =
          how === 'insert'
            ? text.slice(0, i) + chars + text.slice(i)
            : how === 'truncate'
              ? text.slice(0, i)
              : text.slice(0, i) + chars + text.slice(i + chars.length);
        return { e, text: mangled };
      });
    const fixed = fc.constantFrom(
      '',
      'nul',
      '{"a":1}garbage',
      '\ufeff{}',
      '[1,]',
      "{'single':'quotes'}",
      '{"a":1e999999}',
      '{"a":"\\ud800"}',
      '{"a":"\\u0000"}',
      '{"a":1,"a":2}',
      '['.repeat(100_000),
      '{"a":"' + 'x'.repeat(70_000) + '"}',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          corrupt,
          fc.tuple(fc.constantFrom(...jsonEndpoints), fixed).map(([e, text]) => ({ e, text })),
        ),
        async ({ e, text }) => {
          const res = await request(e, { body: text, headers: { 'Content-Type': 'application/json' } });
          await expectSafe(res, `${e.method} ${e.path} ${JSON.stringify(text.slice(0, 100))}`);
        },
      ),
      { numRuns: RUNS.text },
    );
    const tooLarge = await request(jsonEndpoints[0], {
      body: JSON.stringify({ name: 'x'.repeat(70_000) }),
      headers: { 'Content-Type': 'application/json' },
    });
    expectProblem(tooLarge, 413);
  });

  it('answers odd ids in every path with 400 or 404 and writes nothing', async () => {
    const otherKindOfId = () => fc.constantFrom(productId, variantId, caseId, evidenceId, dossierId);
    const oddId = fc.oneof(
      fc.uuid().map((u) => u),
      otherKindOfId(),
      otherKindOfId().map((id) => id.toUpperCase()),
      otherKindOfId().map((id) => `${id} `),
      otherKindOfId().map((id) => `${id}/..`),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }),
      fc.constantFrom(
        '0',
        '-1',
        'null',
        'undefined',
        '..',
        '%2e%2e',
        '%00',
        '00000000-0000-0000-0000-000000000000',
        'ffffffff-ffff-ffff-ffff-ffffffffffff',
        "1' OR '1'='1",
        'case:',
        'variant:00000000-0000-0000-0000-00000000000g',
        'product:------------------------------------',
        'organisation:' + 'f'.repeat(36),
        'x'.repeat(3000),
      ),
    );
    for (const e of idEndpoints) {
      await fc.assert(
        fc.asyncProperty(oddId, async (id) => {
          // A real id of another kind can happen to be valid here (GET /variants/{variantId}), and
          // ids name the same thing in upper case.
          if (id.toLowerCase() === e.id?.()) return;
          const path = pathOf(e, id.startsWith('%') ? id : encodeURIComponent(id));
          const res = e.multipart
            ? await request(e, { path })
                .field('kind', 'instructions')
                .attach('file', Buffer.from('x'), 'x.pdf')
            : await request(e, { path, body: e.body?.() });
          if (![400, 404].includes(res.status)) {
            throw new Error(`${e.method} ${path}: ${res.status} ${res.text.slice(0, 300)}`);
          }
          await expectSafe(res, `${e.method} ${path}`);
        }),
        { numRuns: RUNS.ids },
      );
    }
  });

  it('answers odd Authorization, Content-Type, If-Match, Idempotency-Key and Accept headers without a 5xx', async () => {
    const headerText = fc.oneof(
      fc.string({
        unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
        maxLength: 80,
      }),
      fc.string({
        unit: fc.integer({ min: 0xa0, max: 0xff }).map((c) => String.fromCharCode(c)),
        maxLength: 10,
      }),
      fc.constantFrom('', ' ', '*', 'x'.repeat(7000)),
    );
    const authorization = fc.oneof(
      headerText,
      headerText.map((s) => `Bearer ${s}`),
      fc.constantFrom(
        'Bearer',
        'Bearer ',
        'bearer  ',
        'Basic Zm9vOmJhcg==',
        'Bearer cf_AAAAAAAAAAAAAAAA_' + 'x'.repeat(43),
      ),
      fc
        .constantFrom(
          () => `Bearer ${customiser.token}x`,
          () => `Bearer ${customiser.token.slice(0, -1)}`,
          () => `Bearer ${customiser.token.toUpperCase()}`,
          () => `Bearer ${customiser.token} ${legal.token}`,
          () => `Token ${customiser.token}`,
        )
        .map((f) => f()),
    );
    const contentType = fc.oneof(
      headerText,
      fc.constantFrom(
        'application/json; charset=utf-16',
        'application/json; charset=latin1',
        'application/json; charset=utf-8; charset=ascii',
        'application/merge-patch+json',
        'application/x-www-form-urlencoded',
        'multipart/form-data',
        'multipart/form-data; boundary=',
        'text/plain',
        'application/xml',
        '*/*',
      ),
    );
    const header = fc.oneof(
      fc.record({ name: fc.constant('Authorization'), value: authorization }),
      fc.record({ name: fc.constant('Content-Type'), value: contentType }),
      fc.record({
        name: fc.constantFrom(
          'If-Match',
          'Idempotency-Key',
          'Accept',
          'Accept-Encoding',
          'Accept-Charset',
          'Content-Encoding',
          'Range',
          'If-None-Match',
        ),
        value: headerText,
      }),
      fc.record({
        name: fc.constant('If-Match'),
        value: fc.constantFrom('"1"', 'W/"1"', '"999999999"', '1', '-1', '"1", "2"', '*'),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...endpoints), header, async (e, { name, value }) => {
        const isAuth = name === 'Authorization';
        const body = e.body ? JSON.stringify(e.body()) : undefined;
        const headers: Record<string, string> = {
          ...(body ? { 'Content-Type': 'application/json' } : {}),
          [name]: value,
        };
        const res = e.multipart
          ? await request(e, { headers, token: isAuth ? null : undefined })
              .field('kind', 'instructions')
              .field('issuer', 'Lab')
              .field('issuedAt', '2026-10-01')
              .attach('file', samplePdf(unique('doc')), 'doc.pdf')
          : await request(e, { headers, token: isAuth ? null : undefined, body });
        if (isAuth) {
          const status = e.path === '/health' ? 200 : 401; // the liveness check needs no token
          expect({ value, status: res.status }).toEqual({ value, status });
        }
        await expectSafe(res, `${e.method} ${e.path} ${name}: ${JSON.stringify(value).slice(0, 100)}`);
      }),
      { numRuns: RUNS.headers },
    );
  });

  it('answers methods an endpoint does not have with a 4xx problem and writes nothing', async () => {
    for (const e of endpoints) {
      for (const method of (['put', 'patch', 'delete', 'options'] as const).filter(
        (m) => m.toUpperCase() !== e.method,
      )) {
        const res = await t.http[method](pathOf(e)).set('Authorization', bearer(e.as())).send({});
        await expectSafe(res, `${method.toUpperCase()} ${e.path}`);
        expect({ method, path: e.path, status: res.status >= 400 }).toEqual({
          method,
          path: e.path,
          status: true,
        });
      }
    }
    const unknown = await rawRequest(t.url, `FOO ${API}/me HTTP/1.1\r\nHost: x\r\n\r\n`);
    expectProblem(unknown, 400);
  });

  it('answers Content-Length mismatches and broken framing with a 4xx problem or a closed connection, writing nothing', async () => {
    const body = JSON.stringify({ key: unique('raw'), name: 'Raw', overrides: {} });
    const head = (headers: string) =>
      `POST ${API}/products/${productId}/variants HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${customiser.token}\r\n` +
      `Content-Type: application/json\r\n${headers}\r\n`;
    const cases: [string, string, number | 'no answer'][] = [
      ['shorter than declared', head(`Content-Length: ${body.length + 40}\r\n`) + body, 'no answer'],
      ['longer than declared', head('Content-Length: 5\r\n') + body, 400],
      ['not a number', head('Content-Length: abc\r\n') + body, 400],
      ['negative', head('Content-Length: -1\r\n') + body, 400],
      ['two different lengths', head(`Content-Length: 5\r\nContent-Length: ${body.length}\r\n`) + body, 400],
      [
        'with chunked encoding',
        head(`Content-Length: ${body.length}\r\nTransfer-Encoding: chunked\r\n`) + body,
        400,
      ],
      ['broken chunks', head('Transfer-Encoding: chunked\r\n') + `zz\r\n${body}\r\n0\r\n\r\n`, 400],
      [
        'headers too large',
        head(`X-Padding: ${'p'.repeat(20_000)}\r\nContent-Length: ${body.length}\r\n`) + body,
        431,
      ],
    ];
    for (const [what, bytes, expected] of cases) {
      const res = await rawRequest(t.url, bytes, { timeoutMs: 400 });
      if (expected === 'no answer') {
        expect({ what, incomplete: res.incomplete }).toEqual({ what, incomplete: true });
      } else {
        expect({ what, status: res.status }).toEqual({ what, status: expected });
        expectProblem(res, expected);
      }
      // The server notices the client is gone a moment later; nothing may have been written.
      await eventually(async () => JSON.stringify(await snapshotState(t)) === JSON.stringify(state), 300);
      expect({ what, state: await snapshotState(t) }).toEqual({ what, state });
    }
  });

  it('answers broken multipart streams with a 4xx, leaving no row, no blob and no temporary file', async () => {
    const boundary = 'fuzzboundary';
    const validParts = (): Part[] => [
      { name: 'kind', value: 'emc-test-report' },
      { name: 'issuer', value: 'Prüflabor Nord' },
      { name: 'issuedAt', value: '2026-10-01' },
      {
        name: 'file',
        value: samplePdf(unique('mp')),
        filename: 'report.pdf',
        contentType: 'application/pdf',
      },
    ];
    const partMutation = fc.oneof(
      fc.record({ kind: fc.constant('drop' as const), index: fc.nat(3) }),
      fc.record({ kind: fc.constant('duplicate' as const), index: fc.nat(3) }),
      fc.record({ kind: fc.constant('value' as const), index: fc.nat(2), value: nastyString }),
      fc.record({ kind: fc.constant('name' as const), index: fc.nat(3), value: nastyString }),
      fc.record({ kind: fc.constant('extra' as const), name: nastyString, value: nastyString }),
      fc.record({ kind: fc.constant('filename' as const), value: nastyString }),
      fc.record({ kind: fc.constant('empty file' as const) }),
      fc.record({ kind: fc.constant('huge field' as const), index: fc.nat(2) }),
    );
    const byteMutation = fc.oneof(
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.nat(255) }),
      fc.record({ kind: fc.constant('no closing boundary' as const) }),
      fc.record({
        kind: fc.constant('other boundary' as const),
        value: fc.constantFrom('', 'x', '"q"', 'a'.repeat(80)),
      }),
      fc.record({ kind: fc.constant('garbage' as const), value: fc.uint8Array({ maxLength: 300 }) }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...uploadEndpoints),
        fc.oneof(partMutation, byteMutation),
        async (e, mutation) => {
          let parts = validParts();
          let contentType = `multipart/form-data; boundary=${boundary}`;
          let bytes: Buffer;
          switch (mutation.kind) {
            case 'drop':
              parts.splice(mutation.index, 1);
              break;
            case 'duplicate':
              parts.push({ ...parts[mutation.index] });
              break;
            case 'value':
              parts[mutation.index] = { ...parts[mutation.index], value: mutation.value };
              break;
            case 'name':
              parts[mutation.index] = {
                ...parts[mutation.index],
                name: mutation.value.replace(/["\r\n]/g, ''),
              };
              break;
            case 'extra':
              parts = [{ name: mutation.name.replace(/["\r\n]/g, ''), value: mutation.value }, ...parts];
              break;
            case 'filename':
              parts[3] = { ...parts[3], filename: mutation.value.replace(/["\r\n]/g, '') };
              break;
            case 'empty file':
              parts[3] = { ...parts[3], value: Buffer.alloc(0) };
              break;
            case 'huge field':
              parts[mutation.index] = { ...parts[mutation.index], value: 'x'.repeat(10_000) };
              break;
            default:
              break;
          }
          bytes = multipartBody(boundary, parts, mutation.kind !== 'no closing boundary');
          if (mutation.kind === 'truncate') bytes = bytes.subarray(0, mutation.at % bytes.length);
          if (mutation.kind === 'flip') {
            bytes = Buffer.from(bytes);
            bytes[mutation.at % bytes.length] = mutation.byte;
          }
          if (mutation.kind === 'other boundary')
            contentType = `multipart/form-data; boundary=${mutation.value}`;
          if (mutation.kind === 'garbage') bytes = Buffer.from(mutation.value);
          const res = await request(e, { headers: { 'Content-Type': contentType }, body: bytes });
          await expectSafe(res, `${e.path} ${mutation.kind} ${JSON.stringify(mutation).slice(0, 200)}`);
        },
      ),
      { numRuns: RUNS.multipart },
    );
  });

  it('leaves nothing behind when the client goes away in the middle of an upload', async () => {
    const boundary = 'abortboundary';
    const head = multipartBody(
      boundary,
      [
        { name: 'kind', value: 'emc-test-report' },
        { name: 'issuer', value: 'Lab' },
        { name: 'issuedAt', value: '2026-10-01' },
      ],
      false,
    );
    for (const cut of [0, 40, head.length, head.length + 50_000]) {
      const file = Buffer.concat([
        head,
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n`),
        Buffer.alloc(100_000, 7),
      ]);
      const bytes = Buffer.concat([
        Buffer.from(
          `POST ${API}/variants/${variantId}/evidence HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${customiser.token}\r\n` +
            `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${file.length + 1000}\r\n\r\n`,
        ),
        file.subarray(0, cut),
      ]);
      const res = await rawRequest(t.url, bytes, { abortAfterMs: 100 });
      expect(res.status === 0 || res.status < 500).toBe(true);
      await eventually(async () => JSON.stringify(await snapshotState(t)) === JSON.stringify(state));
      expect(await snapshotState(t)).toEqual(state);
    }
  });
});
