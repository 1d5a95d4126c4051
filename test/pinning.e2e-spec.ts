import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { API, bearer, createActor, REPO_ROOT, startApp, type TestApp } from './support/app-harness.js';
import { createProduct, createVariant } from './support/fixtures.js';

/**
 * A case pins the workflow version and content hash it started with: shipping a changed workflow
 * never silently changes a running case, while new cases get the new version.
 */
describe('workflow pinning across a content update', () => {
  const content = mkdtempSync(join(tmpdir(), 'certflow-content-'));
  const data = mkdtempSync(join(tmpdir(), 'certflow-pinning-'));
  let t: TestApp | undefined;

  afterAll(async () => {
    await t?.close();
    rmSync(content, { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
  });

  it('keeps running cases on the workflow they started with', async () => {
    cpSync(join(REPO_ROOT, 'rules'), join(content, 'rules'), { recursive: true });
    cpSync(join(REPO_ROOT, 'workflows'), join(content, 'workflows'), { recursive: true });
    const env = { CONTENT_DIR: content, DATA_DIR: data };
    t = await startApp('sqlite', env);
    const maintainer = await createActor(t, ['maintainer'], 'Commons');
    const workshop = await createActor(t, ['customiser'], 'Workshop');
    const productId = await createProduct(t, maintainer.token);
    const variantId = await createVariant(t, workshop.token, productId, 'v', {
      placingOnMarket: '2027-03-01',
    });
    const open = (regime: string) =>
      t!.http
        .post(`${API}/variants/${variantId}/cases`)
        .set('Authorization', bearer(workshop.token))
        .send({ regime, route: 'A' });
    const before = await open('eu-mr');
    expect(before.status).toBe(201);
    const pinned = before.body.workflow;
    await t.close();

    // Ship a new version of eu-module-a whose scoping step takes another event.
    const file = join(content, 'workflows', 'eu-module-a.yaml');
    const yaml = readFileSync(file, 'utf8')
      .replace(/^version: (\d+)$/m, (_, v: string) => `version: ${Number(v) + 1}`)
      .replaceAll('COMPLETE_SCOPING', 'CONFIRM_SCOPE');
    writeFileSync(file, yaml);
    t = await startApp('sqlite', env);
    const admin = bearer(t.adminToken);

    const running = await t.http.get(`${API}/cases/${before.body.id}`).set('Authorization', admin);
    expect(running.status).toBe(200);
    expect(running.body.workflow).toEqual(pinned);
    expect(running.body.allowedEvents.map((e: { type: string }) => e.type)).toEqual(['COMPLETE_SCOPING']);
    // The pinned version stays available, to draw the procedure the case follows.
    const old = await t.http
      .get(`${API}/workflows/eu-module-a?hash=${pinned.hash}`)
      .set('Authorization', admin);
    expect(old.status).toBe(200);
    expect(old.body).toMatchObject({ version: pinned.version, hash: pinned.hash });
    expect(JSON.stringify(old.body.config)).toContain('COMPLETE_SCOPING');
    const shipped = await t.http.get(`${API}/workflows/eu-module-a`).set('Authorization', admin);
    expect(shipped.body.version).toBe(pinned.version + 1);
    const unknown = await t.http
      .get(`${API}/workflows/eu-module-a?hash=${'0'.repeat(64)}`)
      .set('Authorization', admin);
    expect(unknown.status).toBe(404);

    const fresh = await t.http
      .post(`${API}/variants/${variantId}/cases`)
      .set('Authorization', admin)
      .send({ regime: 'eu-emc', route: 'A' });
    expect(fresh.status).toBe(201);
    expect(fresh.body.workflow.version).toBe(pinned.version + 1);
    expect(fresh.body.workflow.hash).not.toBe(pinned.hash);
    expect(fresh.body.allowedEvents.map((e: { type: string }) => e.type)).toEqual(['CONFIRM_SCOPE']);
  });
});
