import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
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
import { createProduct, createVariant, MILL, samplePdf, upload } from './support/fixtures.js';

/*
 * The authorisation matrix: every endpoint × every role × own/other organisation, with the exact
 * status each cell answers, derived from design §2:
 *
 * - admin may do everything; maintainers manage base products and product-level evidence;
 *   customisers their own organisation's variants (create, upload evidence, open cases, send
 *   events); legal sees every variant and case, reviews evidence and grants auditors access;
 *   auditors only read what a grant covers (a variant, until it expires).
 * - A role an endpoint never allows answers 403 (it reveals nothing: the same for every id).
 * - Something the caller may not see answers 404, exactly as if it did not exist: each such cell
 *   is asked again with an id that does not exist, and both answers must be the same.
 *
 * Every caller belongs to organisation A ("own"); organisation B's resources are "other".
 * Products belong to no organisation: own/other names the base product of A's and of B's
 * variant. Both auditors with a grant hold it on B's variant (so org membership alone gives an
 * auditor nothing, and a grant reaches across organisations); one grant has expired.
 * Write cells run on fresh resources, so that only authorisation decides the answer.
 */

//                                              admin  maint  cust  legal  aud  aud+g  aud+x  none
const MATRIX = `
GET  /health                         -            200  200  200  200  200  200  200  200
GET  /me                             -            200  200  200  200  200  200  200  401
GET  /content                        -            200  200  200  200  200  200  200  401
GET  /regimes                        -            200  200  200  200  200  200  200  401
GET  /workflows/{id}                 -            200  200  200  200  200  200  200  401

POST /organisations                  -            201  403  403  403  403  403  403  401
GET  /organisations                  -            200  403  403  403  403  403  403  401
POST /users                          -            201  403  403  403  403  403  403  401
GET  /users                          -            200  403  403  403  403  403  403  401
GET  /users/{id}/tokens              own          200  403  403  403  403  403  403  401
GET  /users/{id}/tokens              other        200  403  403  403  403  403  403  401
DELETE /users/{id}/tokens/{tokenId}  own          204  403  403  403  403  403  403  401
DELETE /users/{id}/tokens/{tokenId}  other        204  403  403  403  403  403  403  401
POST /users/{id}/tokens              own          201  403  403  403  403  403  403  401
POST /users/{id}/tokens              other        201  403  403  403  403  403  403  401

POST /products                       -            201  201  403  403  403  403  403  401
GET  /products                       -            200  200  200  200  200  200  200  401
GET  /products/{id}                  own          200  200  200  200  404  404  404  401
GET  /products/{id}                  other        200  200  200  200  404  200  404  401
POST /products/{id}/variants         own          201  403  201  403  403  403  403  401
POST /products/{id}/variants         other        201  403  201  403  403  403  403  401
GET  /products/{id}/variants         own          200  200  200  200  404  404  404  401
GET  /products/{id}/variants         other        200  200  200  200  404  200  404  401

GET  /variants                       -            200  200  200  200  200  200  200  401
GET  /variants/{id}                  own          200  404  200  200  404  404  404  401
GET  /variants/{id}                  other        200  404  404  200  404  200  404  401
GET  /variants/{id}/applicability    own          200  404  200  200  404  404  404  401
GET  /variants/{id}/applicability    other        200  404  404  200  404  200  404  401

POST /auditor-grants                 own          201  403  403  201  403  403  403  401
POST /auditor-grants                 other        201  403  403  201  403  403  403  401
GET  /auditor-grants                 -            200  403  403  200  403  403  403  401

POST /products/{id}/evidence         own          201  201  403  403  403  403  403  401
POST /products/{id}/evidence         other        201  201  403  403  403  403  403  401
GET  /products/{id}/evidence         own          200  200  200  200  404  404  404  401
GET  /products/{id}/evidence         other        200  200  200  200  404  200  404  401
POST /variants/{id}/evidence         own          201  403  201  201  403  403  403  401
POST /variants/{id}/evidence         other        201  403  404  201  403  403  403  401
GET  /variants/{id}/evidence         own          200  404  200  200  404  404  404  401
GET  /variants/{id}/evidence         other        200  404  404  200  404  200  404  401
GET  /evidence/{id}                  own:variant  200  404  200  200  404  404  404  401
GET  /evidence/{id}                  other:variant 200 404  404  200  404  200  404  401
GET  /evidence/{id}                  own:product  200  200  200  200  404  404  404  401
GET  /evidence/{id}                  other:product 200 200  200  200  404  200  404  401
GET  /evidence/{id}/content          own:variant  200  404  200  200  404  404  404  401
GET  /evidence/{id}/content          other:variant 200 404  404  200  404  200  404  401
GET  /evidence/{id}/content          own:product  200  200  200  200  404  404  404  401
GET  /evidence/{id}/content          other:product 200 200  200  200  404  200  404  401
POST /evidence/{id}/review           own:variant  200  403  403  200  403  403  403  401
POST /evidence/{id}/review           other:variant 200 403  403  200  403  403  403  401
POST /evidence/{id}/review           own:product  200  403  403  200  403  403  403  401
POST /evidence/{id}/review           other:product 200 403  403  200  403  403  403  401

POST /variants/{id}/cases            own          201  403  201  201  403  403  403  401
POST /variants/{id}/cases            other        201  403  404  201  403  403  403  401
GET  /variants/{id}/cases            own          200  404  200  200  404  404  404  401
GET  /variants/{id}/cases            other        200  404  404  200  404  200  404  401
GET  /cases                          -            200  200  200  200  200  200  200  401
GET  /cases/{id}                     own          200  404  200  200  404  404  404  401
GET  /cases/{id}                     other        200  404  404  200  404  200  404  401
POST /cases/{id}/events              own          200  403  200  200  403  403  403  401
POST /cases/{id}/events              other        200  403  404  200  403  403  403  401

POST /variants/{id}/dossiers         own          202  403  202  202  403  403  403  401
POST /variants/{id}/dossiers         other        202  403  404  202  403  403  403  401
GET  /variants/{id}/dossiers         own          200  404  200  200  404  404  404  401
GET  /variants/{id}/dossiers         other        200  404  404  200  404  200  404  401
GET  /dossiers/{id}                  own          200  404  200  200  404  404  404  401
GET  /dossiers/{id}                  other        200  404  404  200  404  200  404  401
GET  /dossiers/{id}/pdf              own          200  404  200  200  404  404  404  401
GET  /dossiers/{id}/pdf              other        200  404  404  200  404  200  404  401
GET  /dossiers/{id}/manifest         own          200  404  200  200  404  404  404  401
GET  /dossiers/{id}/manifest         other        200  404  404  200  404  200  404  401
GET  /dossiers/{id}/bundle           own          200  404  200  200  404  404  404  401
GET  /dossiers/{id}/bundle           other        200  404  404  200  404  200  404  401

GET  /audit/{stream}                 own:variant  200  404  200  200  404  404  404  401
GET  /audit/{stream}                 other:variant 200 404  404  200  404  200  404  401
GET  /audit/{stream}                 own:product  200  200  200  200  404  404  404  401
GET  /audit/{stream}                 other:product 200 200  200  200  404  200  404  401
GET  /audit/{stream}                 own:case     200  404  200  200  404  404  404  401
GET  /audit/{stream}                 other:case   200  404  404  200  404  200  404  401
GET  /audit/{stream}                 own:organisation 200 404 404 404  404  404  404  401
GET  /audit/{stream}                 other:organisation 200 404 404 404 404  404  404  401
GET  /audit/{stream}/verify          own:variant  200  404  200  200  404  404  404  401
GET  /audit/{stream}/verify          other:variant 200 404  404  200  404  200  404  401
GET  /audit/{stream}/verify          own:product  200  200  200  200  404  404  404  401
GET  /audit/{stream}/verify          other:product 200 200  200  200  404  200  404  401
GET  /audit/{stream}/verify          own:case     200  404  200  200  404  404  404  401
GET  /audit/{stream}/verify          other:case   200  404  404  200  404  200  404  401
GET  /audit/{stream}/verify          own:organisation 200 404 404 404  404  404  404  401
GET  /audit/{stream}/verify          other:organisation 200 404 404 404 404  404  404  401
`;

const ROLES = [
  'admin',
  'maintainer',
  'customiser',
  'legal',
  'auditor',
  'auditor+grant',
  'auditor+expired',
  'none',
] as const;
type Role = (typeof ROLES)[number];
type Org = 'own' | 'other';

interface Cell {
  endpoint: string;
  target: string;
  role: Role;
  status: number;
}

function parseMatrix(text: string): Cell[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .flatMap((line) => {
      const [method, path, target, ...statuses] = line.split(/\s+/);
      if (statuses.length !== ROLES.length)
        throw new Error(`matrix line has ${statuses.length} statuses: ${line}`);
      return ROLES.map((role, i) => ({
        endpoint: `${method} ${path}`,
        target,
        role,
        status: Number(statuses[i]),
      }));
    });
}

const CELLS = parseMatrix(MATRIX);

/** What one cell sends. `id` is the id in the path, replaced by an unknown one for the 404 twin. */
interface Call {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  id?: string;
  body?: Record<string, unknown>;
  upload?: boolean;
}

describe.each(DATABASE_KINDS)('authorisation matrix on %s', (kind) => {
  let t: TestApp;
  const actors = {} as Record<Exclude<Role, 'none'>, Actor>;
  let customiserB: Actor;
  let grantee: Actor;
  const orgs = {} as Record<Org, string>;
  const users = {} as Record<Org, string>;
  const products = {} as Record<Org, string>;
  const variants = {} as Record<Org, string>;
  const cases = {} as Record<Org, string>;
  const variantEvidence = {} as Record<Org, string>;
  const productEvidence = {} as Record<Org, string>;
  const dossiers = {} as Record<Org, string>;
  let counter = 0;
  const unique = (prefix: string) => `${prefix}-${++counter}`;

  const post = (path: string, token: string, body: object) =>
    t.http.post(`${API}${path}`).set('Authorization', bearer(token)).send(body);
  const customiserOf = (org: Org) => (org === 'own' ? actors.customiser : customiserB);

  async function freshVariant(org: Org): Promise<string> {
    return createVariant(t, customiserOf(org).token, products[org], unique('fresh'), {});
  }
  async function freshCase(org: Org): Promise<string> {
    const variantId = await freshVariant(org);
    const res = await post(`/variants/${variantId}/cases`, actors.legal.token, {
      regime: 'eu-mr',
      route: 'A',
    });
    if (res.status !== 201) throw new Error(`opening a case: ${res.status} ${res.text}`);
    return res.body.id;
  }
  async function freshEvidence(org: Org, owner: 'variant' | 'product'): Promise<string> {
    const res =
      owner === 'variant'
        ? await upload(t, actors.legal.token, `variants/${variants[org]}`, { kind: 'instructions' })
        : await upload(t, actors.maintainer.token, `products/${products[org]}`, { kind: 'instructions' });
    if (res.status !== 201) throw new Error(`uploading: ${res.status} ${res.text}`);
    return res.body.id;
  }
  async function accept(evidenceId: string): Promise<void> {
    const res = await post(`/evidence/${evidenceId}/review`, actors.legal.token, {
      decision: 'accepted',
      comment: 'ok',
    });
    if (res.status !== 200) throw new Error(`accepting: ${res.status} ${res.text}`);
  }

  /**
   * How each endpoint is called for a target: `own`, `other`, `own:product`, … or `-`. A cell
   * that should succeed (`fresh`) gets a resource of its own where success changes it (a case
   * moves on, evidence is reviewed); one that should be refused is asked about the shared one.
   */
  const CALLS: Record<string, (target: string, fresh: boolean) => Promise<Call>> = {
    'GET /health': async () => ({ method: 'GET', path: '/health' }),
    'GET /me': async () => ({ method: 'GET', path: '/me' }),
    'GET /content': async () => ({ method: 'GET', path: '/content' }),
    'GET /regimes': async () => ({ method: 'GET', path: '/regimes?market=EU' }),
    'GET /workflows/{id}': async () => ({ method: 'GET', path: '/workflows/eu-module-a' }),
    'POST /organisations': async () => ({
      method: 'POST',
      path: '/organisations',
      body: { name: unique('Org') },
    }),
    'GET /organisations': async () => ({ method: 'GET', path: '/organisations' }),
    'POST /users': async () => ({
      method: 'POST',
      path: '/users',
      body: {
        name: 'New user',
        email: `${unique('user')}@example.org`,
        organisationId: orgs.own,
        roles: ['customiser'],
      },
    }),
    'GET /users': async () => ({ method: 'GET', path: '/users' }),
    'GET /users/{id}/tokens': async (o) => ({
      method: 'GET',
      path: `/users/${users[org(o)]}/tokens`,
      id: users[org(o)],
    }),
    'DELETE /users/{id}/tokens/{tokenId}': async (o) => {
      // Every cell revokes a token of its own, so a refused cell never finds one already gone.
      const user = users[org(o)];
      const token = await post(`/users/${user}/tokens`, t.adminToken, {});
      return { method: 'DELETE', path: `/users/${user}/tokens/${token.body.id}`, id: user };
    },
    'POST /users/{id}/tokens': async (o) => ({
      method: 'POST',
      path: `/users/${users[org(o)]}/tokens`,
      id: users[org(o)],
    }),
    'POST /products': async () => ({
      method: 'POST',
      path: '/products',
      body: { ...MILL, key: unique('mill') },
    }),
    'GET /products': async () => ({ method: 'GET', path: '/products' }),
    'GET /products/{id}': async (o) => byId('GET', '/products/{id}', products[org(o)]),
    'POST /products/{id}/variants': async (o) => ({
      ...byId('POST', '/products/{id}/variants', products[org(o)]),
      body: { key: unique('variant'), name: 'Variant', overrides: { motorPowerW: 1100 } },
    }),
    'GET /products/{id}/variants': async (o) => byId('GET', '/products/{id}/variants', products[org(o)]),
    'GET /variants': async () => ({ method: 'GET', path: '/variants' }),
    'GET /variants/{id}': async (o) => byId('GET', '/variants/{id}', variants[org(o)]),
    'GET /variants/{id}/applicability': async (o) =>
      byId('GET', '/variants/{id}/applicability', variants[org(o)]),
    'POST /auditor-grants': async (o) => ({
      method: 'POST',
      path: '/auditor-grants',
      body: { userId: grantee.userId, variantId: variants[org(o)], expiresAt: '2099-01-01T00:00:00.000Z' },
    }),
    'GET /auditor-grants': async () => ({ method: 'GET', path: '/auditor-grants' }),
    'POST /products/{id}/evidence': async (o) => ({
      ...byId('POST', '/products/{id}/evidence', products[org(o)]),
      upload: true,
    }),
    'GET /products/{id}/evidence': async (o) => byId('GET', '/products/{id}/evidence', products[org(o)]),
    'POST /variants/{id}/evidence': async (o) => ({
      ...byId('POST', '/variants/{id}/evidence', variants[org(o)]),
      upload: true,
    }),
    'GET /variants/{id}/evidence': async (o) => byId('GET', '/variants/{id}/evidence', variants[org(o)]),
    'GET /evidence/{id}': async (o) => byId('GET', '/evidence/{id}', evidenceOf(o)),
    'GET /evidence/{id}/content': async (o) => byId('GET', '/evidence/{id}/content', evidenceOf(o)),
    'POST /evidence/{id}/review': async (o, fresh) => ({
      ...byId(
        'POST',
        '/evidence/{id}/review',
        fresh ? await freshEvidence(org(o), o.endsWith(':product') ? 'product' : 'variant') : evidenceOf(o),
      ),
      body: { decision: 'accepted', comment: 'checked' },
    }),
    'POST /variants/{id}/cases': async (o, fresh) => ({
      ...byId('POST', '/variants/{id}/cases', fresh ? await freshVariant(org(o)) : variants[org(o)]),
      body: { regime: 'eu-mr', route: 'A' },
    }),
    'GET /variants/{id}/cases': async (o) => byId('GET', '/variants/{id}/cases', variants[org(o)]),
    'GET /cases': async () => ({ method: 'GET', path: '/cases' }),
    'GET /cases/{id}': async (o) => byId('GET', '/cases/{id}', cases[org(o)]),
    'POST /cases/{id}/events': async (o, fresh) => ({
      ...byId('POST', '/cases/{id}/events', fresh ? await freshCase(org(o)) : cases[org(o)]),
      body: { type: 'COMPLETE_SCOPING', comment: 'scope agreed' },
    }),
    'POST /variants/{id}/dossiers': async (o) => ({
      ...byId('POST', '/variants/{id}/dossiers', variants[org(o)]),
      body: { market: 'US' },
    }),
    'GET /variants/{id}/dossiers': async (o) => byId('GET', '/variants/{id}/dossiers', variants[org(o)]),
    'GET /dossiers/{id}': async (o) => byId('GET', '/dossiers/{id}', dossiers[org(o)]),
    'GET /dossiers/{id}/pdf': async (o) => byId('GET', '/dossiers/{id}/pdf', dossiers[org(o)]),
    'GET /dossiers/{id}/manifest': async (o) => byId('GET', '/dossiers/{id}/manifest', dossiers[org(o)]),
    'GET /dossiers/{id}/bundle': async (o) => byId('GET', '/dossiers/{id}/bundle', dossiers[org(o)]),
    'GET /audit/{stream}': async (o) => stream('', o),
    'GET /audit/{stream}/verify': async (o) => stream('/verify', o),
  };

  const org = (target: string): Org => target.split(':')[0] as Org;
  const byId = (method: 'GET' | 'POST', template: string, id: string): Call => ({
    method,
    path: template.replace('{id}', id),
    id,
  });
  const evidenceOf = (target: string) =>
    (target.endsWith(':product') ? productEvidence : variantEvidence)[org(target)];
  function stream(suffix: string, target: string): Call {
    const [o, kindOfStream] = target.split(':') as [Org, string];
    const id = { variant: variants, product: products, case: cases, organisation: orgs }[kindOfStream]?.[o];
    if (!id) throw new Error(`no stream for ${target}`);
    return { method: 'GET', path: `/audit/${kindOfStream}:${id}${suffix}`, id };
  }

  function send(call: Call, role: Role, path = call.path) {
    const token = role === 'none' ? undefined : actors[role].token;
    const url = `${API}${path}`;
    let req =
      call.method === 'GET'
        ? t.http.get(url)
        : call.method === 'DELETE'
          ? t.http.delete(url)
          : t.http.post(url);
    if (token) req = req.set('Authorization', bearer(token));
    if (call.upload) {
      return req
        .field('kind', 'instructions')
        .field('issuer', 'Prüflabor Nord')
        .field('issuedAt', '2026-10-01')
        .attach('file', samplePdf(unique('doc')), 'doc.pdf');
    }
    return call.body ? req.send(call.body) : req;
  }

  beforeAll(async () => {
    t = await startApp(kind);
    // Each role in organisation A; the admin is one too (the bootstrap admin is in another).
    actors.admin = await createActor(t, ['admin'], 'Workshop A', 'admin');
    actors.maintainer = await createActor(t, ['maintainer'], 'Workshop A', 'maintainer');
    actors.customiser = await createActor(t, ['customiser'], 'Workshop A', 'customiser');
    actors.legal = await createActor(t, ['legal'], 'Workshop A', 'legal');
    actors.auditor = await createActor(t, ['auditor'], 'Workshop A', 'auditor');
    actors['auditor+grant'] = await createActor(t, ['auditor'], 'Workshop A', 'granted auditor');
    actors['auditor+expired'] = await createActor(
      t,
      ['auditor'],
      'Workshop A',
      'auditor whose grant expired',
    );
    customiserB = await createActor(t, ['customiser'], 'Workshop B', 'customiser B');
    grantee = await createActor(t, ['auditor'], 'Audit firm', 'grantee');
    orgs.own = actors.customiser.organisationId;
    orgs.other = customiserB.organisationId;
    users.own = actors.customiser.userId;
    users.other = customiserB.userId;

    const millFor = (o: Org) => ({
      ...MILL,
      key: `mill-${o}`,
      attributes: { ...MILL.attributes, placingOnMarket: '2027-03-01' },
    });
    for (const o of ['own', 'other'] as Org[]) {
      products[o] = await createProduct(t, actors.maintainer.token, millFor(o));
      variants[o] = await freshVariant(o);
      const opened = await post(`/variants/${variants[o]}/cases`, actors.legal.token, {
        regime: 'eu-mr',
        route: 'A',
      });
      expect(opened.status).toBe(201);
      cases[o] = opened.body.id;
      // The product's accepted scoping evidence lets COMPLETE_SCOPING pass on its fresh variants.
      for (const requirement of opened.body.requirements as { kind: string; step: string }[]) {
        if (requirement.step !== 'scoping') continue;
        const res = await upload(t, actors.maintainer.token, `products/${products[o]}`, {
          kind: requirement.kind,
        });
        expect(res.status).toBe(201);
        await accept(res.body.id);
      }
      variantEvidence[o] = await freshEvidence(o, 'variant');
      productEvidence[o] = await freshEvidence(o, 'product');
    }
    // The expiring grant runs out while the dossiers render.
    const grant = (user: Actor, expiresAt: string) =>
      post('/auditor-grants', actors.legal.token, {
        userId: user.userId,
        variantId: variants.other,
        expiresAt,
      });
    expect((await grant(actors['auditor+grant'], '2099-01-01T00:00:00.000Z')).status).toBe(201);
    const expiresAt = Date.now() + 1500;
    expect((await grant(actors['auditor+expired'], new Date(expiresAt).toISOString())).status).toBe(201);
    // Until it expires, the grant works.
    const before = await t.http
      .get(`${API}/variants/${variants.other}`)
      .set('Authorization', bearer(actors['auditor+expired'].token));
    expect(before.status).toBe(200);

    for (const o of ['own', 'other'] as Org[]) {
      const dossier = await post(`/variants/${variants[o]}/dossiers`, actors.legal.token, { market: 'US' });
      expect(dossier.status).toBe(202);
      dossiers[o] = dossier.body.id;
    }
    await t.app.get(DossiersService).idle();
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt + 50 - Date.now())));
  });
  afterAll(async () => {
    await t?.app.get(DossiersService).idle();
    await t?.close();
  });

  it('covers every endpoint of the OpenAPI document', () => {
    const document = JSON.parse(readFileSync(join(REPO_ROOT, 'openapi.json'), 'utf8')) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(document.paths)
      .flatMap(([path, operations]) =>
        Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace(/^\/api\/v1/, '')}`),
      )
      .sort();
    expect([...new Set(CELLS.map((c) => c.endpoint))].sort()).toEqual(documented);
    expect(Object.keys(CALLS).sort()).toEqual(documented);
  });

  it('answers every cell with exactly the status the design gives it', async () => {
    const wrong: string[] = [];
    for (const cell of CELLS) {
      const call = await CALLS[cell.endpoint](cell.target, cell.status < 300);
      const res = await send(call, cell.role);
      const where = `${cell.endpoint.padEnd(34)} ${cell.target.padEnd(18)} ${cell.role.padEnd(16)}`;
      if (res.status !== cell.status) {
        wrong.push(
          `${where} expected ${cell.status}, got ${res.status} ${res.status >= 400 ? res.body.detail : ''}`,
        );
        continue;
      }
      if (cell.status === 404 && call.id) {
        // Exactly as if it did not exist: the same answer for an id that does not.
        const ghost = randomUUID();
        const twin = await send(call, cell.role, call.path.replace(call.id, ghost));
        const same = (body: Record<string, unknown>, id: string) =>
          JSON.stringify({ ...body, instance: undefined }).replaceAll(id, '<id>');
        if (twin.status !== 404 || same(res.body, call.id) !== same(twin.body, ghost)) {
          wrong.push(`${where} 404 differs from an unknown id's: ${res.text} vs ${twin.text}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});
