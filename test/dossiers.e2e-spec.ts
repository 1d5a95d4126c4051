import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import canonicalize from 'canonicalize';
import { API, bearer, createActor, startApp, type Actor, type TestApp } from './support/app-harness.js';
import { DATABASE_KINDS } from './support/databases.js';
import {
  acceptedEvidence,
  createProduct,
  createVariant,
  MILL,
  samplePdf,
  openCase,
} from './support/fixtures.js';
import { pdfPages, pdfText, qpdfCheck } from './support/pdf-tools.js';

const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

function binary(res: { body: unknown }): Buffer {
  return res.body as Buffer;
}

const SECTIONS = [
  'Product and variant',
  'Changes from the base design',
  'Applicable legislation',
  'Conformity-assessment cases',
  'Requirements and evidence',
  'Evidence index',
  'Signatures',
  'Audit trail',
  'Draft declaration of conformity',
  'How to verify this dossier',
];

describe.each(DATABASE_KINDS)('dossiers on %s', (kind) => {
  let t: TestApp;
  let workshop: Actor;
  let legal: Actor;
  let auditor: Actor;
  let otherAuditor: Actor;
  let variantId: string;
  let caseId: string;
  let dossierId: string;
  let work: string;
  const evidenceHashes: string[] = [];

  const get = (path: string, token: string) =>
    t.http
      .get(`${API}${path}`)
      .set('Authorization', bearer(token))
      .buffer(true)
      .parse((response, done) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => done(null, Buffer.concat(chunks)));
      });
  const json = async (path: string, token: string) => {
    const res = await t.http.get(`${API}${path}`).set('Authorization', bearer(token));
    return res;
  };
  const requestDossier = async (body: Record<string, unknown>, token = legal.token, variant = variantId) => {
    const res = await t.http
      .post(`${API}/variants/${variant}/dossiers`)
      .set('Authorization', bearer(token))
      .send(body);
    expect(res.status).toBe(202);
    expect(['pending', 'ready']).toContain(res.body.status);
    for (let i = 0; i < 600; i++) {
      const status = await json(`/dossiers/${res.body.id}`, token);
      if (status.body.status !== 'pending') {
        expect(status.body).toMatchObject({ status: 'ready', reason: null });
        return status.body;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('dossier did not finish');
  };

  beforeAll(async () => {
    t = await startApp(kind);
    work = mkdtempSync(join(tmpdir(), 'certflow-dossier-test-'));
    const maintainer = await createActor(t, ['maintainer'], 'Commons design team');
    workshop = await createActor(t, ['customiser'], 'Fräswerk Łódź & Ørsted GmbH');
    legal = await createActor(t, ['legal'], 'Legal team');
    auditor = await createActor(t, ['auditor'], 'Notified auditors');
    otherAuditor = await createActor(t, ['auditor'], 'Other auditors');
    const productId = await createProduct(t, maintainer.token);
    for (const k of ['risk-assessment', 'rohs-material-declaration', 'electrical-safety-test-report']) {
      await acceptedEvidence(t, maintainer.token, legal.token, `products/${productId}`, { kind: k });
    }
    variantId = await createVariant(t, workshop.token, productId, 'mill-1500w', {
      motorPowerW: 1500,
      placingOnMarket: '2027-03-01',
    });
    const opened = await openCase(t, workshop.token, variantId, 'eu-mr', 'A');
    caseId = opened.id;
    for (const r of opened.requirements) {
      if (r.satisfied) continue;
      await acceptedEvidence(t, workshop.token, legal.token, `variants/${variantId}`, {
        kind: r.kind,
        file: samplePdf(`${r.kind} for the 1.5 kW variant`),
        filename: `${r.kind} — Prüfbericht Nr. 2026-117 für die Variante mit 1,5-kW-Spindel, Revision C (final).pdf`,
      });
    }
    for (const type of ['COMPLETE_SCOPING', 'SELECT_STANDARDS']) {
      const res = await t.http
        .post(`${API}/cases/${caseId}/events`)
        .set('Authorization', bearer(workshop.token))
        .send({ type, comment: `${type} after review of the evidence` });
      expect(res.status).toBe(200);
    }
    const evidence = await json(`/variants/${variantId}/evidence`, legal.token);
    for (const e of [...evidence.body.own, ...evidence.body.inherited]) evidenceHashes.push(e.sha256);
  });
  afterAll(async () => {
    await t?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('renders a PDF technical file that real PDF tools open, with every section, hash and page number', async () => {
    const dossier = await requestDossier({ market: 'EU' });
    dossierId = dossier.id;
    expect(dossier.pdfSha256).toMatch(/^[0-9a-f]{64}$/);
    const res = await get(`/dossiers/${dossierId}/pdf`, legal.token);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const pdf = binary(res);
    expect(sha256(pdf)).toBe(dossier.pdfSha256);
    const path = join(work, 'dossier.pdf');
    writeFileSync(path, pdf);

    expect(qpdfCheck(path)).toMatch(/No syntax or stream encoding errors/);
    const text = pdfText(path);
    for (const section of SECTIONS) expect(text).toContain(section);
    expect(text).toContain('Open CNC mill');
    expect(text).toContain('mill-1500w');
    expect(text).toContain('Fräswerk Łódź & Ørsted GmbH');
    expect(text).toContain(dossierId);
    expect(text).toContain(dossier.manifestSha256);
    const compact = text.replace(/\s+/g, ' ');
    for (const hash of evidenceHashes) expect(compact).toContain(hash);
    expect(compact).toContain('Prüfbericht Nr. 2026-117');
    // The rules' notes, and the defaults the answer assumed for what the mill does not declare.
    expect(compact).toContain('Notes for the reviewer (eu-mr)');
    expect(compact).toContain('The safety objectives of Directive 2014/35/EU apply to the machinery');
    expect(compact).toContain('Neither the product nor the variant declares these attributes');
    expect(compact).toContain('machineryAnnexI = null, supplyVoltageDC = 0 V');

    const pages = pdfPages(path);
    expect(pages).toBe(dossier.pages);
    for (let page = 1; page <= pages; page++) {
      expect(pdfText(path, page)).toContain(`Page ${page} of ${pages}`);
    }
  });

  it('serves a manifest that names the PDF’s hash and hashes to the value on the cover', async () => {
    const meta = (await json(`/dossiers/${dossierId}`, legal.token)).body;
    const res = await get(`/dossiers/${dossierId}/manifest`, legal.token);
    expect(res.status).toBe(200);
    const manifest = JSON.parse(binary(res).toString('utf8'));
    expect(manifest.pdfSha256).toBe(meta.pdfSha256);
    const rest = { ...manifest };
    delete rest.pdfSha256;
    expect(sha256(canonicalize(rest)!)).toBe(meta.manifestSha256);
    expect(manifest.contentVersion).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.workflows).toEqual([
      expect.objectContaining({
        caseId,
        id: 'eu-module-a',
        version: expect.any(Number),
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      }),
    ]);
    for (const hash of evidenceHashes) {
      expect(manifest.evidence.map((e: { sha256: string }) => e.sha256)).toContain(hash);
    }
    const caseStream = manifest.auditStreams.find((s: { stream: string }) => s.stream === `case:${caseId}`);
    expect(caseStream).toMatchObject({ length: 3 });
  });

  it('bundles the PDF, the manifest and every evidence file', async () => {
    const res = await get(`/dossiers/${dossierId}/bundle`, legal.token);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    const zip = join(work, 'bundle.zip');
    writeFileSync(zip, binary(res));
    const listing = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(listing).toEqual(expect.arrayContaining(['dossier.pdf', 'manifest.json']));
    const files = listing.filter((name) => name.startsWith('evidence/'));
    expect(files.length).toBe(evidenceHashes.length);
    const extracted = join(work, 'bundle');
    execFileSync('unzip', ['-q', '-o', zip, '-d', extracted]);
    const hashes = files.map((name) => sha256(readFileSync(join(extracted, name))));
    expect(hashes.sort()).toEqual([...evidenceHashes].sort());

    // Offline: the bundled audit records re-hash to the chain and end at the manifest's heads.
    const manifest = JSON.parse(readFileSync(join(extracted, 'manifest.json'), 'utf8'));
    for (const { stream, length, head } of manifest.auditStreams) {
      const { events } = JSON.parse(
        readFileSync(join(extracted, 'audit', `${stream.replace(':', '-')}.json`), 'utf8'),
      );
      expect(events).toHaveLength(length);
      let prev = '0'.repeat(64);
      for (const record of events) {
        const rest = { ...record };
        delete rest.hash;
        expect(record.prevHash).toBe(prev);
        expect(sha256(canonicalize(rest)!)).toBe(record.hash);
        prev = record.hash;
      }
      expect(prev).toBe(head);
    }
  });

  it('gives identical bytes when regenerated with nothing changed', async () => {
    const first = await requestDossier({ market: 'EU' });
    // Downloading is recorded in the variant's audit stream, but it is not what a dossier covers.
    expect((await get(`/dossiers/${first.id}/pdf`, legal.token)).status).toBe(200);
    expect((await requestDossier({ market: 'EU' })).id).toBe(first.id);

    const path = join(t.config.dataDir, 'dossiers', `${first.id}.pdf`);
    const before = readFileSync(path);
    rmSync(path);
    const again = await requestDossier({ market: 'EU', regenerate: true });
    expect(again.id).toBe(first.id);
    expect(again.completedAt).not.toBe(first.completedAt);
    expect(again.pdfSha256).toBe(first.pdfSha256);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('renders a dossier asked for twice at once only once', async () => {
    const ask = () =>
      t.http
        .post(`${API}/variants/${variantId}/dossiers`)
        .set('Authorization', bearer(legal.token))
        .send({ market: 'GB' });
    const [a, b] = await Promise.all([ask(), ask()]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.body.id).toBe(b.body.id);
    await requestDossier({ market: 'GB' });
    const log = await json(`/audit/variant:${variantId}`, legal.token);
    const requested = log.body.events.filter(
      (e: { action: string; data: { dossierId: string } }) =>
        e.action === 'dossier.requested' && e.data.dossierId === a.body.id,
    );
    expect(requested).toHaveLength(1);
  });

  it('shows the new audit head in the next dossier after a case event', async () => {
    const event = await t.http
      .post(`${API}/cases/${caseId}/events`)
      .set('Authorization', bearer(workshop.token))
      .send({ type: 'COMPLETE_RISK_ASSESSMENT' });
    expect(event.status).toBe(200);
    const audit = await json(`/audit/case:${caseId}`, legal.token);
    const head = audit.body.events.at(-1).hash;
    const dossier = await requestDossier({ market: 'EU' });
    expect(dossier.id).not.toBe(dossierId);
    const manifest = JSON.parse(
      binary(await get(`/dossiers/${dossier.id}/manifest`, legal.token)).toString('utf8'),
    );
    expect(
      manifest.auditStreams.find((s: { stream: string }) => s.stream === `case:${caseId}`),
    ).toMatchObject({
      head,
      length: 4,
    });
  });

  it('lets an auditor see a variant only while a grant covers it; downloads are audited', async () => {
    expect((await json(`/dossiers/${dossierId}`, auditor.token)).status).toBe(404);
    expect((await get(`/dossiers/${dossierId}/pdf`, auditor.token)).status).toBe(404);
    expect((await json(`/variants/${variantId}`, auditor.token)).status).toBe(404);

    const expiresAt = new Date(Date.now() + 2500).toISOString();
    const grant = await t.http
      .post(`${API}/auditor-grants`)
      .set('Authorization', bearer(legal.token))
      .send({ userId: auditor.userId, variantId, expiresAt });
    expect(grant.status).toBe(201);
    const asWorkshop = await t.http
      .post(`${API}/auditor-grants`)
      .set('Authorization', bearer(workshop.token))
      .send({ userId: auditor.userId, variantId, expiresAt });
    expect(asWorkshop.status).toBe(403);
    const notAnAuditor = await t.http
      .post(`${API}/auditor-grants`)
      .set('Authorization', bearer(legal.token))
      .send({ userId: workshop.userId, variantId, expiresAt });
    expect(notAnAuditor.status).toBe(400);

    const pdf = await get(`/dossiers/${dossierId}/pdf`, auditor.token);
    expect(pdf.status).toBe(200);
    // Auditors only read: they download dossiers others generated.
    const asks = await t.http
      .post(`${API}/variants/${variantId}/dossiers`)
      .set('Authorization', bearer(auditor.token))
      .send({ market: 'EU' });
    expect(asks.status).toBe(403);
    expect((await json(`/variants/${variantId}`, auditor.token)).status).toBe(200);
    expect((await json(`/cases/${caseId}`, auditor.token)).status).toBe(200);
    expect((await json(`/audit/variant:${variantId}/verify`, auditor.token)).body.valid).toBe(true);
    expect((await json('/variants', auditor.token)).body.map((v: { id: string }) => v.id)).toEqual([
      variantId,
    ]);
    expect((await json('/variants', otherAuditor.token)).body).toEqual([]);
    expect((await json(`/dossiers/${dossierId}`, otherAuditor.token)).status).toBe(404);
    const sendEvent = await t.http
      .post(`${API}/cases/${caseId}/events`)
      .set('Authorization', bearer(auditor.token))
      .send({ type: 'COMPLETE_RISK_ASSESSMENT' });
    expect(sendEvent.status).toBe(403);

    const variantLog = await json(`/audit/variant:${variantId}`, legal.token);
    const downloads = variantLog.body.events.filter(
      (e: { action: string }) => e.action === 'dossier.downloaded',
    );
    expect(downloads.map((e: { actor: { id: string } }) => e.actor.id)).toContain(auditor.userId);
    expect(downloads[downloads.length - 1].data).toMatchObject({ dossierId, part: 'pdf' });

    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(expiresAt) - Date.now() + 100)));
    expect((await get(`/dossiers/${dossierId}/pdf`, auditor.token)).status).toBe(404);
    expect((await json(`/variants/${variantId}`, auditor.token)).status).toBe(404);
  });

  it('gives a customiser of another organisation who holds an auditor grant read access only', async () => {
    const both = await createActor(
      t,
      ['customiser', 'auditor'],
      'Another workshop',
      'Customiser and auditor',
    );
    const grant = await t.http
      .post(`${API}/auditor-grants`)
      .set('Authorization', bearer(legal.token))
      .send({ userId: both.userId, variantId, expiresAt: new Date(Date.now() + 60_000).toISOString() });
    expect(grant.status).toBe(201);
    expect((await json(`/variants/${variantId}`, both.token)).status).toBe(200);
    const refused = [
      await t.http
        .post(`${API}/variants/${variantId}/dossiers`)
        .set('Authorization', bearer(both.token))
        .send({ market: 'EU' }),
      await t.http
        .post(`${API}/variants/${variantId}/cases`)
        .set('Authorization', bearer(both.token))
        .send({ regime: 'eu-rohs', route: 'A' }),
      await t.http
        .post(`${API}/cases/${caseId}/events`)
        .set('Authorization', bearer(both.token))
        .send({ type: 'SELECT_STANDARDS' }),
      await t.http
        .post(`${API}/variants/${variantId}/evidence`)
        .set('Authorization', bearer(both.token))
        .field('kind', 'instructions')
        .field('issuer', 'x')
        .field('issuedAt', '2026-10-01')
        .attach('file', samplePdf('not mine'), 'x.pdf'),
    ];
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403]);
  });

  it('names the notified body of a route that needs one in the draft declaration, from its certificate', async () => {
    await openCase(t, workshop.token, variantId, 'eu-emc', 'B+C');
    const declaration = async () => {
      const dossier = await requestDossier({ market: 'EU' });
      const path = join(work, `declaration-${dossier.id}.pdf`);
      writeFileSync(path, binary(await get(`/dossiers/${dossier.id}/pdf`, legal.token)));
      const text = pdfText(path).replace(/\s+/g, ' ');
      return text.slice(text.lastIndexOf('7. Bodies'));
    };
    const before = await declaration();
    expect(before).toContain(
      'Electromagnetic Compatibility Directive, route B+C: a notified body is required',
    );
    await acceptedEvidence(t, workshop.token, legal.token, `variants/${variantId}`, {
      kind: 'emc-type-examination-certificate',
      issuer: 'Prüfstelle Süd GmbH (notified body 0123)',
      filename: 'EU-type examination certificate 0123-EMC-77.pdf',
    });
    const after = await declaration();
    expect(after).toContain(
      'Electromagnetic Compatibility Directive, route B+C: Prüfstelle Süd GmbH (notified body 0123)',
    );
    expect(after).toContain('EU-type examination certificate 0123-EMC-77.pdf');
    expect(after).not.toContain('none: no applicable act needs');
    // An act that needs a body on every route but has no case yet is named too: the RED when the
    // radio's harmonised standards are not applied (reference §14.2).
    const radio = await createVariant(
      t,
      workshop.token,
      (await json(`/variants/${variantId}`, legal.token)).body.productId,
      'mill-wifi',
      {
        radio: 'integrated',
        radioStandards: 'none',
        placingOnMarket: '2027-03-01',
      },
    );
    const red = (await json(`/variants/${radio}/applicability?markets=EU`, legal.token)).body.find(
      (a: { regime: string }) => a.regime === 'eu-red',
    );
    expect(red).toMatchObject({ applies: true, notifiedBodyRequired: true });
    const dossier = await requestDossier({ market: 'EU' }, legal.token, radio);
    const path = join(work, 'declaration-radio.pdf');
    writeFileSync(path, binary(await get(`/dossiers/${dossier.id}/pdf`, legal.token)));
    const text = pdfText(path).replace(/\s+/g, ' ');
    expect(text.slice(text.lastIndexOf('7. Bodies'))).toContain(
      'Radio Equipment Directive (every route the law allows): a notified body is required',
    );
  });

  it('declares partly completed machinery for incorporation under the machinery act, and the rest in conformity', async () => {
    const maintainer = await createActor(t, ['maintainer'], 'Commons design team');
    const productId = await createProduct(t, maintainer.token, {
      ...MILL,
      key: 'open-motion-platform',
      name: 'Open motion platform',
      attributes: { ...MILL.attributes, kind: 'partly-completed-machinery' },
    });
    const platform = await createVariant(t, workshop.token, productId, 'platform-2027', {
      placingOnMarket: '2027-03-01',
    });
    const applicable = await json(`/variants/${platform}/applicability?markets=EU`, legal.token);
    const acts = (applicable.body as { regime: string; title: string; applies: boolean }[]).filter(
      (a) => a.applies,
    );
    expect(acts.map((a) => a.regime)).toContain('eu-mr');
    const dossier = await requestDossier({ market: 'EU' }, legal.token, platform);
    const path = join(work, 'incorporation.pdf');
    writeFileSync(path, binary(await get(`/dossiers/${dossier.id}/pdf`, legal.token)));
    expect(qpdfCheck(path)).toMatch(/No syntax or stream encoding errors/);
    const text = pdfText(path).replace(/\s+/g, ' ');
    const drafts = text.slice(text.lastIndexOf('Draft declarations of incorporation and conformity'));
    const doc = drafts.indexOf('EU declaration of conformity No.');
    const incorporation = doc < 0 ? drafts : drafts.slice(0, doc);
    expect(incorporation).toContain(
      `EU declaration of incorporation of partly completed machinery No. ${dossier.id}-DoI`,
    );
    expect(incorporation).toContain('Annex IV Part B of Regulation (EU) 2023/1230');
    // The Regulation dropped the Directive's person authorised to compile the documentation.
    expect(incorporation).not.toContain('Person authorised');
    expect(incorporation).toContain('Machinery Regulation');
    expect(incorporation).toContain('must not be put into service until the final');
    // The other acts that apply are declared in conformity; the machinery act is not among them.
    const others = acts.filter((a) => a.regime !== 'eu-mr');
    expect(doc >= 0).toBe(others.length > 0);
    const conformity = doc < 0 ? '' : drafts.slice(doc);
    expect(conformity).not.toContain('Machinery Regulation');
    for (const act of others) expect(conformity).toContain(act.title);
  });

  it('rejects an unknown market and an invisible variant', async () => {
    const bad = await t.http
      .post(`${API}/variants/${variantId}/dossiers`)
      .set('Authorization', bearer(legal.token))
      .send({ market: 'XX' });
    expect(bad.status).toBe(400);
    const stranger = await createActor(t, ['customiser'], 'Another workshop');
    const invisible = await t.http
      .post(`${API}/variants/${variantId}/dossiers`)
      .set('Authorization', bearer(stranger.token))
      .send({ market: 'EU' });
    expect(invisible.status).toBe(404);
  });
});
