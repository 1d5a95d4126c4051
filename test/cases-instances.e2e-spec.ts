import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { actorVia, ApiClient } from './support/api-client.js';
import { createPostgresDatabase } from './support/databases.js';
import { MILL, samplePdf } from './support/fixtures.js';
import {
  adminToken,
  startServiceProcess,
  tempDataDir,
  type ServiceProcess,
} from './support/service-process.js';

/**
 * Two service processes on one PostgreSQL database, as behind a load balancer: concurrent events
 * with the same If-Match sent to both — exactly one wins, and the audit chain stays valid.
 */
describe('two service instances on one PostgreSQL', () => {
  let db: { url: string; drop: () => Promise<void> };
  let data: { dir: string; remove: () => void };
  let first: ServiceProcess;
  let second: ServiceProcess;

  beforeAll(async () => {
    db = await createPostgresDatabase();
    data = tempDataDir();
    const env = { DATABASE_URL: db.url, DATA_DIR: data.dir };
    first = await startServiceProcess(env);
    second = await startServiceProcess(env);
  });
  afterAll(async () => {
    await first?.stop();
    await second?.stop();
    await db?.drop();
    data?.remove();
  });

  it('lets exactly one of many concurrent events with the same If-Match win across instances', async () => {
    const admin = new ApiClient(first.url, adminToken(data.dir));
    const maintainer = (await actorVia(admin, ['maintainer'], 'Commons')).client;
    const workshop = (await actorVia(admin, ['customiser'], 'Workshop')).client;
    const legal = (await actorVia(admin, ['legal'], 'Legal')).client;
    const product = await maintainer.post('/products', MILL);
    expect(product.status).toBe(201);
    const variant = await workshop.post(`/products/${product.body.id}/variants`, {
      key: 'v1',
      name: 'v1',
      overrides: { placingOnMarket: '2027-02-01' },
    });
    expect(variant.status).toBe(201);
    const opened = await workshop.post(`/variants/${variant.body.id}/cases`, { regime: 'eu-mr', route: 'A' });
    expect(opened.status).toBe(201);
    for (const r of opened.body.requirements.filter((q: { step: string }) => q.step === 'scoping')) {
      const up = await workshop.upload(
        `/variants/${variant.body.id}/evidence`,
        { kind: r.kind, issuer: 'Lab', issuedAt: '2026-10-01' },
        samplePdf(r.kind),
        `${r.kind}.pdf`,
      );
      expect(up.status).toBe(201);
      expect(
        (await legal.post(`/evidence/${up.body.id}/review`, { decision: 'accepted', comment: 'ok' })).status,
      ).toBe(200);
    }

    const clients = [new ApiClient(first.url, workshop.token), new ApiClient(second.url, workshop.token)];
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        clients[i % 2].post(
          `/cases/${opened.body.id}/events`,
          { type: 'COMPLETE_SCOPING' },
          { 'If-Match': '"1"' },
        ),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);

    const verify = await legal.get(`/audit/case:${opened.body.id}/verify`);
    expect(verify.body).toMatchObject({ valid: true, length: 2, firstBadSeq: null });
    const fromSecond = await new ApiClient(second.url, legal.token).get(`/cases/${opened.body.id}`);
    expect(fromSecond.body).toMatchObject({ version: 2, state: 'standards_selection' });
  });
});
