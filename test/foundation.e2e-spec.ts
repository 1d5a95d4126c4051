import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { API, bearer, createActor, startApp, type Actor, type TestApp } from './support/app-harness.js';
import { DATABASE_KINDS } from './support/databases.js';
import { expectProblem } from './support/http-probes.js';

const MILL = {
  key: 'open-cnc-mill',
  name: 'Open CNC mill',
  designVersion: '2.1.0',
  sourceUrl: 'https://example.org/open-cnc-mill',
  attributes: { kind: 'machinery', supplyVoltageAC: 230, motorPowerW: 800, enclosureMaterial: 'steel' },
};

describe.each(DATABASE_KINDS)('foundation on %s', (kind) => {
  let t: TestApp;
  let maintainer: Actor;
  let workshopA: Actor;
  let workshopB: Actor;
  let legal: Actor;
  let productId: string;

  beforeAll(async () => {
    t = await startApp(kind);
    maintainer = await createActor(t, ['maintainer'], 'Commons design team');
    workshopA = await createActor(t, ['customiser'], 'Workshop A');
    workshopB = await createActor(t, ['customiser'], 'Workshop B');
    legal = await createActor(t, ['legal'], 'Legal team');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reports health and database reachability without a token', async () => {
    const res = await t.http.get(`${API}/health`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', database: { kind, reachable: true } });
  });

  it('writes the first admin token to DATA_DIR/admin-token readable only by its owner', () => {
    const mode = statSync(join(t.config.dataDir, 'admin-token')).mode & 0o777;
    expect(mode).toBe(0o600);
    expect(t.adminToken).toMatch(/^cf_/);
  });

  it('answers 401 without a token and with a wrong one', async () => {
    expectProblem(await t.http.get(`${API}/me`), 401);
    expectProblem(
      await t.http.get(`${API}/me`).set('Authorization', 'Bearer cf_AAAAAAAAAAAAAAAA_' + 'x'.repeat(43)),
      401,
    );
    expectProblem(await t.http.get(`${API}/me`).set('Authorization', 'Basic Zm9vOmJhcg=='), 401);
    const tampered = maintainer.token.slice(0, -1) + (maintainer.token.endsWith('A') ? 'B' : 'A');
    expectProblem(await t.http.get(`${API}/me`).set('Authorization', bearer(tampered)), 401);
  });

  it('tells the caller who they are', async () => {
    const res = await t.http.get(`${API}/me`).set('Authorization', bearer(workshopA.token));
    expect(res.status).toBe(200);
    expect(res.body.roles).toEqual(['customiser']);
    expect(res.body.organisation).toEqual({ id: workshopA.organisationId, name: 'Workshop A' });
    expect(res.body.user.id).toBe(workshopA.userId);
  });

  it('lets only admins manage people (403 for other roles)', async () => {
    expectProblem(
      await t.http.post(`${API}/organisations`).set('Authorization', bearer(legal.token)).send({ name: 'X' }),
      403,
    );
    expectProblem(await t.http.get(`${API}/users`).set('Authorization', bearer(workshopA.token)), 403);
    const dup = await t.http
      .post(`${API}/organisations`)
      .set('Authorization', bearer(t.adminToken))
      .send({ name: 'Workshop A' });
    expectProblem(dup, 409);
  });

  it('lets an admin revoke a token; it then authenticates nobody', async () => {
    const extra = await t.http
      .post(`${API}/users/${workshopB.userId}/tokens`)
      .set('Authorization', bearer(t.adminToken));
    expect(extra.status).toBe(201);
    expect((await t.http.get(`${API}/me`).set('Authorization', bearer(extra.body.token))).status).toBe(200);
    const revoke = await t.http
      .delete(`${API}/users/${workshopB.userId}/tokens/${extra.body.id}`)
      .set('Authorization', bearer(t.adminToken));
    expect(revoke.status).toBe(204);
    expectProblem(await t.http.get(`${API}/me`).set('Authorization', bearer(extra.body.token)), 401);
    expect((await t.http.get(`${API}/me`).set('Authorization', bearer(workshopB.token))).status).toBe(200);
    const tokens = await t.http
      .get(`${API}/users/${workshopB.userId}/tokens`)
      .set('Authorization', bearer(t.adminToken));
    expect(tokens.body.find((k: { id: string }) => k.id === extra.body.id).revokedAt).toEqual(
      expect.any(String),
    );
    expect(JSON.stringify(tokens.body)).not.toContain(extra.body.token);
    expectProblem(
      await t.http
        .delete(`${API}/users/${workshopB.userId}/tokens/nope`)
        .set('Authorization', bearer(t.adminToken)),
      404,
    );
  });

  it('creates, lists and gets products (maintainers only create)', async () => {
    expectProblem(
      await t.http.post(`${API}/products`).set('Authorization', bearer(workshopA.token)).send(MILL),
      403,
    );
    const created = await t.http
      .post(`${API}/products`)
      .set('Authorization', bearer(maintainer.token))
      .send(MILL);
    expect(created.status).toBe(201);
    productId = created.body.id;
    expect(created.body.attributes.motorPowerW).toBe(800);
    expect(created.body.attributes.radio).toBe('none'); // vocabulary default
    expect(created.body.declaredAttributes).toEqual(MILL.attributes);

    const list = await t.http.get(`${API}/products`).set('Authorization', bearer(workshopB.token));
    expect(list.status).toBe(200);
    expect(list.body.map((p: { key: string }) => p.key)).toEqual(['open-cnc-mill']);
    const one = await t.http.get(`${API}/products/${productId}`).set('Authorization', bearer(legal.token));
    expect(one.body.name).toBe('Open CNC mill');
    expectProblem(
      await t.http.post(`${API}/products`).set('Authorization', bearer(maintainer.token)).send(MILL),
      409,
    );
  });

  it('rejects undeclared attributes, wrong types and values outside the allowed set, naming the attribute', async () => {
    const post = (attributes: Record<string, unknown>) =>
      t.http
        .post(`${API}/products`)
        .set('Authorization', bearer(maintainer.token))
        .send({ ...MILL, key: 'bad-product', attributes });
    const undeclared = await post({ spindleColour: 'red' });
    expectProblem(undeclared, 400);
    expect(undeclared.body.errors).toEqual([
      { field: 'attributes.spindleColour', message: "'spindleColour' is not a declared attribute" },
    ]);
    const wrongType = await post({ motorPowerW: '800' });
    expectProblem(wrongType, 400);
    expect(wrongType.body.errors[0].field).toBe('attributes.motorPowerW');
    const outside = await post({ radio: 'bluetooth-ish' });
    expectProblem(outside, 400);
    expect(outside.body.errors[0].field).toBe('attributes.radio');
    const badDate = await post({ placingOnMarket: '2027-02-30' });
    expect(badDate.body.errors[0].field).toBe('attributes.placingOnMarket');
    const products = await t.http.get(`${API}/products`).set('Authorization', bearer(maintainer.token));
    expect(products.body).toHaveLength(1); // nothing was written
  });

  it('rejects unknown body fields, malformed JSON and malformed ids', async () => {
    const extra = await t.http
      .post(`${API}/products`)
      .set('Authorization', bearer(maintainer.token))
      .send({ ...MILL, key: 'x1', colour: 'blue' });
    expectProblem(extra, 400);
    expect(extra.body.errors).toEqual([{ field: 'colour', message: 'property colour should not exist' }]);
    const malformed = await t.http
      .post(`${API}/products`)
      .set('Authorization', bearer(maintainer.token))
      .set('Content-Type', 'application/json')
      .send('{"key": ');
    expectProblem(malformed, 400);
    const badId = await t.http.get(`${API}/variants/not-a-uuid`).set('Authorization', bearer(legal.token));
    expectProblem(badId, 400);
    expect(badId.body.errors).toEqual([{ field: 'id', message: 'id must be a UUID' }]);
  });

  it('creates variants with effective attributes and changes; tenancy hides other organisations', async () => {
    const created = await t.http
      .post(`${API}/products/${productId}/variants`)
      .set('Authorization', bearer(workshopA.token))
      .send({
        key: 'mill-1500w',
        name: 'Mill with 1.5 kW spindle',
        overrides: { motorPowerW: 1500, placingOnMarket: '2027-03-01' },
      });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(created.body.attributes).toMatchObject({
      kind: 'machinery',
      motorPowerW: 1500,
      supplyVoltageAC: 230,
    });
    expect(created.body.changes).toEqual([
      { attribute: 'motorPowerW', base: 800, value: 1500 },
      { attribute: 'placingOnMarket', base: null, value: '2027-03-01' },
    ]);
    expect(created.body.organisationId).toBe(workshopA.organisationId);

    expect(
      (await t.http.get(`${API}/variants/${id}`).set('Authorization', bearer(workshopA.token))).status,
    ).toBe(200);
    expect((await t.http.get(`${API}/variants/${id}`).set('Authorization', bearer(legal.token))).status).toBe(
      200,
    );
    expect(
      (await t.http.get(`${API}/variants/${id}`).set('Authorization', bearer(t.adminToken))).status,
    ).toBe(200);
    const upper = await t.http
      .get(`${API}/variants/${id.toUpperCase()}`)
      .set('Authorization', bearer(legal.token));
    expect(upper.body.id).toBe(id);
    expectProblem(
      await t.http.get(`${API}/variants/${id}`).set('Authorization', bearer(workshopB.token)),
      404,
    );
    expectProblem(
      await t.http.get(`${API}/variants/${id}`).set('Authorization', bearer(maintainer.token)),
      404,
    );
    const listB = await t.http.get(`${API}/variants`).set('Authorization', bearer(workshopB.token));
    expect(listB.body).toEqual([]);
    const listLegal = await t.http.get(`${API}/variants`).set('Authorization', bearer(legal.token));
    expect(listLegal.body.map((v: { id: string }) => v.id)).toEqual([id]);

    const wrong = await t.http
      .post(`${API}/products/${productId}/variants`)
      .set('Authorization', bearer(workshopA.token))
      .send({ key: 'bad', name: 'bad', overrides: { motorPowerW: true } });
    expectProblem(wrong, 400);
    expect(wrong.body.errors[0].field).toBe('overrides.motorPowerW');
    expectProblem(
      await t.http
        .post(`${API}/products/${productId}/variants`)
        .set('Authorization', bearer(legal.token))
        .send({ key: 'legal-variant', name: 'x', overrides: {} }),
      403,
    );
  });

  it('records product and variant creation in verifiable audit streams', async () => {
    const stream = `product:${productId}`;
    const res = await t.http.get(`${API}/audit/${stream}`).set('Authorization', bearer(legal.token));
    expect(res.status).toBe(200);
    expect(res.body.events).toHaveLength(1);
    expect(res.body.events[0]).toMatchObject({
      stream,
      seq: 1,
      action: 'product.created',
      prevHash: '0'.repeat(64),
    });
    const verify = await t.http
      .get(`${API}/audit/${stream}/verify`)
      .set('Authorization', bearer(legal.token));
    expect(verify.body).toEqual({ valid: true, length: 1, head: res.body.events[0].hash, firstBadSeq: null });
    expectProblem(await t.http.get(`${API}/audit/nonsense`).set('Authorization', bearer(legal.token)), 404);
  });

  it('answers unknown routes with a problem document', async () => {
    expectProblem(await t.http.get(`${API}/nothing-here`).set('Authorization', bearer(legal.token)), 404);
  });
});
