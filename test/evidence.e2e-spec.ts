import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuditRecordEntity, AuditStreamEntity } from '../src/audit/audit.entity.js';
import { API, bearer, createActor, startApp, type Actor, type TestApp } from './support/app-harness.js';
import { DATABASE_KINDS } from './support/databases.js';
import { acceptedEvidence, createProduct, createVariant, samplePdf, upload } from './support/fixtures.js';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Files in the blob store (content-addressed and temporary). */
function blobFiles(t: TestApp): string[] {
  const root = join(t.config.dataDir, 'blobs');
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe.each(DATABASE_KINDS)('evidence on %s', (kind) => {
  let t: TestApp;
  let maintainer: Actor;
  let workshop: Actor;
  let otherWorkshop: Actor;
  let legal: Actor;
  let productId: string;
  let variantId: string;
  const base: Record<string, string> = {};

  beforeAll(async () => {
    t = await startApp(kind, { UPLOAD_MAX_BYTES: String(256 * 1024) });
    maintainer = await createActor(t, ['maintainer'], 'Commons design team');
    workshop = await createActor(t, ['customiser'], 'Workshop A');
    otherWorkshop = await createActor(t, ['customiser'], 'Workshop B');
    legal = await createActor(t, ['legal'], 'Legal team');
    productId = await createProduct(t, maintainer.token);
    variantId = await createVariant(t, workshop.token, productId, 'plain', {});
    // The base design's evidence, reviewed and accepted.
    for (const k of [
      'risk-assessment',
      'mechanical-safety-test-report',
      'electrical-safety-test-report',
      'emc-test-report',
      'rohs-material-declaration',
      'flammability-test-report',
      'instructions',
    ]) {
      base[k] = await acceptedEvidence(t, maintainer.token, legal.token, `products/${productId}`, {
        kind: k,
      });
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stores the bytes, reports their SHA-256 and media type, and serves them back', async () => {
    const bytes = samplePdf('EMC report of the 1.5 kW spindle');
    const res = await upload(t, workshop.token, `variants/${variantId}`, {
      kind: 'emc-test-report',
      file: bytes,
      filename: 'EMV-Prüfbericht 7.pdf',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      kind: 'emc-test-report',
      size: bytes.length,
      sha256: sha256(bytes),
      mediaType: 'application/pdf',
      originalName: 'EMV-Prüfbericht 7.pdf',
      status: 'pending',
      standing: 'pending',
      owner: 'variant',
      variantId,
    });
    const download = await t.http
      .get(`${API}/evidence/${res.body.id}/content`)
      .set('Authorization', bearer(workshop.token))
      .buffer(true)
      .parse((response, done) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(download.status).toBe(200);
    expect(sha256(download.body as Buffer)).toBe(sha256(bytes));
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers.etag).toBe(`"${sha256(bytes)}"`);
    expect(download.headers['content-disposition']).toContain(
      "filename*=UTF-8''EMV-Pr%C3%BCfbericht%207.pdf",
    );
    const again = await t.http
      .get(`${API}/evidence/${res.body.id}/content`)
      .set('Authorization', bearer(workshop.token))
      .set('If-None-Match', `"${sha256(bytes)}"`);
    expect(again.status).toBe(304);
  });

  it('detects the media type from the bytes, not from the client', async () => {
    const res = await upload(t, workshop.token, `variants/${variantId}`, {
      kind: 'bill-of-materials',
      file: Buffer.from('part;qty\nspindle;1\n'),
      filename: 'bom.pdf',
    });
    expect(res.status).toBe(201);
    expect(res.body.mediaType).toBe('text/plain');
  });

  it('stores identical bytes once', async () => {
    const bytes = samplePdf('same bytes twice');
    const before = blobFiles(t).length;
    const a = await upload(t, workshop.token, `variants/${variantId}`, {
      kind: 'technical-drawings',
      file: bytes,
    });
    const b = await upload(t, workshop.token, `variants/${variantId}`, {
      kind: 'technical-drawings',
      file: bytes,
    });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.sha256).toBe(b.body.sha256);
    expect(blobFiles(t).length).toBe(before + 1);
  });

  it('answers 413 over the size limit, 400 for an unknown kind or an empty file, and keeps nothing', async () => {
    const before = blobFiles(t).length;
    const own = async () =>
      (await t.http.get(`${API}/variants/${variantId}/evidence`).set('Authorization', bearer(workshop.token)))
        .body.own.length;
    const ownBefore = await own();
    const big = await upload(t, workshop.token, `variants/${variantId}`, {
      kind: 'emc-test-report',
      file: Buffer.alloc(300 * 1024, 1),
    });
    expect(big.status).toBe(413);
    expect(big.headers['content-type']).toMatch(/problem\+json/);
    const unknown = await upload(t, workshop.token, `variants/${variantId}`, { kind: 'horoscope' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ field: 'kind', message: expect.stringContaining('horoscope') }]);
    const empty = await upload(t, workshop.token, `variants/${variantId}`, {
      kind: 'instructions',
      file: Buffer.alloc(0),
    });
    expect(empty.status).toBe(400);
    expect(empty.body.errors[0].field).toBe('file');
    const badDate = await upload(t, workshop.token, `variants/${variantId}`, {
      kind: 'instructions',
      issuedAt: '2026-13-01',
    });
    expect(badDate.status).toBe(400);
    expect(blobFiles(t).length).toBe(before);
    expect(await own()).toBe(ownBefore);
  });

  it('answers 404 for another organisation’s variant and 403 for the wrong role', async () => {
    const res = await upload(t, otherWorkshop.token, `variants/${variantId}`, { kind: 'instructions' });
    expect(res.status).toBe(404);
    const asMaintainer = await upload(t, maintainer.token, `variants/${variantId}`, { kind: 'instructions' });
    expect(asMaintainer.status).toBe(403);
    const asCustomiser = await upload(t, workshop.token, `products/${productId}`, { kind: 'instructions' });
    expect(asCustomiser.status).toBe(403);
    const list = await t.http
      .get(`${API}/variants/${variantId}/evidence`)
      .set('Authorization', bearer(otherWorkshop.token));
    expect(list.status).toBe(404);
  });

  it('lets only legal review, with a comment', async () => {
    const item = await upload(t, workshop.token, `variants/${variantId}`, { kind: 'instructions' });
    const asCustomiser = await t.http
      .post(`${API}/evidence/${item.body.id}/review`)
      .set('Authorization', bearer(workshop.token))
      .send({ decision: 'accepted', comment: 'looks fine to me' });
    expect(asCustomiser.status).toBe(403);
    const noComment = await t.http
      .post(`${API}/evidence/${item.body.id}/review`)
      .set('Authorization', bearer(legal.token))
      .send({ decision: 'accepted' });
    expect(noComment.status).toBe(400);
    const rejected = await t.http
      .post(`${API}/evidence/${item.body.id}/review`)
      .set('Authorization', bearer(legal.token))
      .send({ decision: 'rejected', comment: 'German translation missing' });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', standing: 'rejected' });
    expect(rejected.body.review).toMatchObject({ by: legal.userId, comment: 'German translation missing' });
    const again = await t.http
      .post(`${API}/evidence/${item.body.id}/review`)
      .set('Authorization', bearer(legal.token))
      .send({ decision: 'accepted', comment: 'changed my mind' });
    expect(again.status).toBe(409);
  });

  it('lets an unchanged variant inherit every accepted product item', async () => {
    const res = await t.http
      .get(`${API}/variants/${variantId}/evidence`)
      .set('Authorization', bearer(workshop.token));
    expect(res.status).toBe(200);
    expect(res.body.inherited.map((e: { kind: string }) => e.kind).sort()).toEqual(Object.keys(base).sort());
    expect(res.body.inherited[0].inheritedFrom).toEqual({
      productId,
      productKey: 'open-cnc-mill',
      designVersion: '2.1.0',
    });
    expect(res.body.invalidated).toEqual([]);
  });

  const inheritance = async (overrides: Record<string, unknown>, key: string) => {
    const id = await createVariant(t, workshop.token, productId, key, overrides);
    const res = await t.http
      .get(`${API}/variants/${id}/evidence`)
      .set('Authorization', bearer(workshop.token));
    expect(res.status).toBe(200);
    const inherited = res.body.inherited.map((e: { kind: string }) => e.kind);
    const invalidated = Object.fromEntries(
      res.body.invalidated.map((i: { evidence: { kind: string }; attributes: string[] }) => [
        i.evidence.kind,
        i.attributes,
      ]),
    );
    return { inherited, invalidated };
  };

  it('invalidates the risk assessment and mechanical tests when the motor power changes', async () => {
    const { inherited, invalidated } = await inheritance({ motorPowerW: 1500 }, 'spindle-1500w');
    expect(invalidated['risk-assessment']).toEqual(['motorPowerW']);
    expect(invalidated['mechanical-safety-test-report']).toEqual(['motorPowerW']);
    expect(inherited).toEqual(
      expect.arrayContaining(['rohs-material-declaration', 'flammability-test-report']),
    );
  });

  it('invalidates material declarations, flammability and shock protection when the enclosure material changes', async () => {
    const { inherited, invalidated } = await inheritance(
      { enclosureMaterial: 'polycarbonate' },
      'pc-enclosure',
    );
    expect(invalidated['rohs-material-declaration']).toEqual(['enclosureMaterial']);
    expect(invalidated['flammability-test-report']).toEqual(['enclosureMaterial']);
    // Another material also changes protection against electric shock (bonding, insulation).
    expect(invalidated['electrical-safety-test-report']).toEqual(['enclosureMaterial']);
    expect(inherited).toEqual(expect.arrayContaining(['instructions']));
  });

  it('invalidates electrical safety and EMC tests when the supply voltage changes', async () => {
    const { inherited, invalidated } = await inheritance({ supplyVoltageAC: 120 }, 'us-120v');
    expect(invalidated['electrical-safety-test-report']).toEqual(['supplyVoltageAC']);
    expect(invalidated['emc-test-report']).toEqual(['supplyVoltageAC']);
    expect(inherited).toEqual(
      expect.arrayContaining(['rohs-material-declaration', 'mechanical-safety-test-report']),
    );
  });

  it('invalidates EMC evidence when an integrated radio is added', async () => {
    const { inherited, invalidated } = await inheritance(
      { radio: 'integrated', internetConnected: true },
      'wifi',
    );
    expect(invalidated['emc-test-report']).toEqual(expect.arrayContaining(['radio']));
    expect(inherited).toEqual(
      expect.arrayContaining(['mechanical-safety-test-report', 'rohs-material-declaration']),
    );
  });

  it('does not count expired or superseded evidence', async () => {
    const id = await createVariant(t, workshop.token, productId, 'validity', {});
    const owner = `variants/${id}`;
    const expired = await acceptedEvidence(t, workshop.token, legal.token, owner, {
      kind: 'marking-and-labels',
      issuedAt: '2024-01-01',
      validUntil: '2025-01-01',
    });
    const first = await acceptedEvidence(t, workshop.token, legal.token, owner, {
      kind: 'technical-drawings',
    });
    const second = await upload(t, workshop.token, owner, { kind: 'technical-drawings', supersedes: first });
    expect(second.status).toBe(201);
    const list = await t.http.get(`${API}/${owner}/evidence`).set('Authorization', bearer(workshop.token));
    const byId = Object.fromEntries(list.body.own.map((e: { id: string }) => [e.id, e]));
    expect(byId[expired]).toMatchObject({ standing: 'expired', status: 'accepted' });
    expect(byId[first]).toMatchObject({ standing: 'superseded', supersededBy: second.body.id });
    expect(byId[second.body.id]).toMatchObject({ standing: 'pending', supersedes: first });
    const twice = await upload(t, workshop.token, owner, { kind: 'technical-drawings', supersedes: first });
    expect(twice.status).toBe(409);
    const wrongKind = await upload(t, workshop.token, owner, {
      kind: 'instructions',
      supersedes: second.body.id,
    });
    expect(wrongKind.status).toBe(400);
    const reviewOld = await t.http
      .post(`${API}/evidence/${first}/review`)
      .set('Authorization', bearer(legal.token))
      .send({ decision: 'rejected', comment: 'old' });
    expect(reviewOld.status).toBe(409);
  });

  it('leaves no blob and no row when the client aborts an upload half-way', async () => {
    const before = blobFiles(t);
    const ownBefore = (
      await t.http.get(`${API}/variants/${variantId}/evidence`).set('Authorization', bearer(workshop.token))
    ).body.own.length;
    const boundary = 'certflowboundary';
    const url = new URL(`${t.url}${API}/variants/${variantId}/evidence`);
    await new Promise<void>((resolve) => {
      const req = httpRequest(url, {
        method: 'POST',
        headers: {
          Authorization: bearer(workshop.token),
          'Content-Type': `multipart/form-data; boundary=${boundary}`,
          'Content-Length': String(200 * 1024),
        },
      });
      req.on('error', () => resolve());
      req.write(
        `--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nemc-test-report\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="issuer"\r\n\r\nLab\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="issuedAt"\r\n\r\n2026-10-01\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="half.pdf"\r\n` +
          'Content-Type: application/pdf\r\n\r\n',
      );
      req.write(Buffer.alloc(64 * 1024, 7), () => setTimeout(() => req.destroy(), 100));
    });
    // Give the server a moment to notice the abort and clean up.
    for (let i = 0; i < 50 && blobFiles(t).length !== before.length; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(blobFiles(t)).toEqual(before);
    const after = await t.http
      .get(`${API}/variants/${variantId}/evidence`)
      .set('Authorization', bearer(workshop.token));
    expect(after.body.own.length).toBe(ownBefore);
  });

  it('keeps a verifiable audit stream of uploads, reviews and supersessions; tampering is found', async () => {
    const stream = `variant:${variantId}`;
    const log = await t.http.get(`${API}/audit/${stream}`).set('Authorization', bearer(legal.token));
    const actions = log.body.events.map((e: { action: string }) => e.action);
    expect(actions[0]).toBe('variant.created');
    expect(actions).toEqual(expect.arrayContaining(['evidence.uploaded', 'evidence.reviewed']));
    const ok = await t.http.get(`${API}/audit/${stream}/verify`).set('Authorization', bearer(legal.token));
    expect(ok.body).toMatchObject({ valid: true, length: log.body.events.length, firstBadSeq: null });

    await t.database.write((tx) =>
      tx
        .getRepository(AuditRecordEntity)
        .update(
          { stream, seq: 3 },
          { data: JSON.stringify({ evidenceId: 'forged', kind: 'emc-test-report' }) },
        ),
    );
    const bad = await t.http.get(`${API}/audit/${stream}/verify`).set('Authorization', bearer(legal.token));
    expect(bad.body).toMatchObject({ valid: false, firstBadSeq: 3 });
  });

  it('finds records cut from the end of a stream, and a removed stream head', async () => {
    const stream = `product:${productId}`;
    const verify = async () =>
      (await t.http.get(`${API}/audit/${stream}/verify`).set('Authorization', bearer(legal.token))).body;
    const before = await verify();
    expect(before).toMatchObject({ valid: true, firstBadSeq: null });
    const length = before.length as number;

    await t.database.write((tx) => tx.getRepository(AuditRecordEntity).delete({ stream, seq: length }));
    expect(await verify()).toMatchObject({ valid: false, firstBadSeq: length });

    await t.database.write((tx) => tx.getRepository(AuditStreamEntity).delete({ stream }));
    const headless = await verify();
    expect(headless.valid).toBe(false);
    const log = await t.http.get(`${API}/audit/${stream}`).set('Authorization', bearer(legal.token));
    expect(log.body.events).toHaveLength(length - 1);
  });
});
