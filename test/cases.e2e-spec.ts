import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CaseEntity } from '../src/cases/case.entity.js';
import { CaseRepository } from '../src/cases/case.repository.js';
import { API, bearer, createActor, startApp, type Actor, type TestApp } from './support/app-harness.js';
import { DATABASE_KINDS } from './support/databases.js';
import {
  acceptedEvidence,
  createProduct,
  createVariant,
  MILL,
  openCase,
  upload,
} from './support/fixtures.js';

interface Requirement {
  kind: string;
  step: string;
  satisfied: boolean;
  gap: string | null;
}
interface AllowedEvent {
  type: string;
  allowed: boolean;
  blockedBy: string[];
  signature?: string;
}

/** The EU Module A path of eu-module-a.yaml, from scoping to placed on the market. */
const MODULE_A_PATH = [
  'COMPLETE_SCOPING',
  'SELECT_STANDARDS',
  'COMPLETE_RISK_ASSESSMENT',
  'SUBMIT_TEST_REPORTS',
  'COMPLETE_INSTRUCTIONS',
  'APPROVE_TECHNICAL_FILE',
  'SIGN_DECLARATION',
  'APPLY_MARKING',
  'PLACE_ON_MARKET',
];

describe.each(DATABASE_KINDS)('certification cases on %s', (kind) => {
  let t: TestApp;
  let workshop: Actor;
  let otherWorkshop: Actor;
  let legal: Actor;
  let variantId: string;
  let caseId: string;

  const getCase = async (id = caseId, token = workshop.token) => {
    const res = await t.http.get(`${API}/cases/${id}`).set('Authorization', bearer(token));
    expect(res.status).toBe(200);
    return res.body;
  };
  const send = (body: Record<string, unknown>, token = legal.token, headers: Record<string, string> = {}) => {
    let req = t.http.post(`${API}/cases/${caseId}/events`).set('Authorization', bearer(token));
    for (const [name, value] of Object.entries(headers)) req = req.set(name, value);
    return req.send(body);
  };

  beforeAll(async () => {
    t = await startApp(kind);
    const maintainer = await createActor(t, ['maintainer'], 'Commons design team');
    workshop = await createActor(t, ['customiser'], 'Workshop A');
    otherWorkshop = await createActor(t, ['customiser'], 'Workshop B');
    legal = await createActor(t, ['legal'], 'Legal team');
    const productId = await createProduct(t, maintainer.token);
    variantId = await createVariant(t, workshop.token, productId, 'mill-1500w', {
      motorPowerW: 1500,
      placingOnMarket: '2027-03-01',
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses a regime that does not apply and a route the law does not allow (422)', async () => {
    const md = await t.http
      .post(`${API}/variants/${variantId}/cases`)
      .set('Authorization', bearer(workshop.token))
      .send({ regime: 'eu-md', route: 'annex-viii' });
    expect(md.status).toBe(422);
    expect(md.body.code).toBe('REGIME_NOT_APPLICABLE');
    expect(md.body.reasons.length).toBeGreaterThan(0);
    const bc = await t.http
      .post(`${API}/variants/${variantId}/cases`)
      .set('Authorization', bearer(workshop.token))
      .send({ regime: 'eu-mr', route: 'B+C' });
    expect(bc.status).toBe(422);
    expect(bc.body.code).toBe('ROUTE_NOT_ALLOWED');
    expect(bc.body.allowedRoutes).toEqual(['A']);
    const unknown = await t.http
      .post(`${API}/variants/${variantId}/cases`)
      .set('Authorization', bearer(workshop.token))
      .send({ regime: 'eu-nonsense', route: 'A' });
    expect(unknown.status).toBe(400);
    const other = await t.http
      .post(`${API}/variants/${variantId}/cases`)
      .set('Authorization', bearer(otherWorkshop.token))
      .send({ regime: 'eu-mr', route: 'A' });
    expect(other.status).toBe(404);
  });

  it('opens an EU Module A case under the Machinery Regulation, pinned to its workflow', async () => {
    const res = await t.http
      .post(`${API}/variants/${variantId}/cases`)
      .set('Authorization', bearer(workshop.token))
      .send({ regime: 'eu-mr', route: 'A' });
    expect(res.status).toBe(201);
    caseId = res.body.id;
    expect(res.body).toMatchObject({
      regime: 'eu-mr',
      route: 'A',
      market: 'EU',
      state: 'scoping',
      version: 1,
    });
    const shipped = await t.http
      .get(`${API}/workflows/eu-module-a`)
      .set('Authorization', bearer(workshop.token));
    expect(res.body.workflow).toMatchObject({
      id: 'eu-module-a',
      version: shipped.body.version,
      hash: shipped.body.hash,
    });
    expect(res.body.requirements.length).toBeGreaterThan(3);
    const again = await t.http
      .post(`${API}/variants/${variantId}/cases`)
      .set('Authorization', bearer(workshop.token))
      .send({ regime: 'eu-mr', route: 'A' });
    expect(again.status).toBe(409);
  });

  it('explains blocked events: missing evidence, evidence pending review, wrong state, wrong role', async () => {
    const c = await getCase();
    const scoping = c.allowedEvents.find((e: AllowedEvent) => e.type === 'COMPLETE_SCOPING');
    const scopingKinds = c.requirements
      .filter((r: Requirement) => r.step === 'scoping')
      .map((r: Requirement) => r.kind);
    expect(scopingKinds.length).toBeGreaterThan(0);
    expect(scoping.allowed).toBe(false);
    expect(scoping.blockedBy.join(' ')).toContain(scopingKinds[0]);

    const blocked = await send({ type: 'COMPLETE_SCOPING' }, workshop.token);
    expect(blocked.status).toBe(422);
    expect(blocked.body.blockedBy.join(' ')).toContain(`${scopingKinds[0]}: nothing uploaded yet`);

    const wrongState = await send({ type: 'PLACE_ON_MARKET' }, workshop.token);
    expect(wrongState.status).toBe(422);
    expect(wrongState.body.detail).toContain("not possible in state 'scoping'");

    // Upload every required kind as the workshop; nothing counts until legal accepts it.
    for (const r of c.requirements as Requirement[]) {
      const res = await upload(t, workshop.token, `variants/${variantId}`, { kind: r.kind });
      expect(res.status).toBe(201);
    }
    const pending = await send({ type: 'COMPLETE_SCOPING' }, workshop.token);
    expect(pending.status).toBe(422);
    expect(pending.body.blockedBy.join(' ')).toContain('pending review');
    const unchanged = await getCase();
    expect(unchanged.version).toBe(1);
  });

  it('runs the case to placed on market with reviewed evidence, roles and signatures', async () => {
    const list = await t.http
      .get(`${API}/variants/${variantId}/evidence`)
      .set('Authorization', bearer(legal.token));
    for (const item of list.body.own) {
      const review = await t.http
        .post(`${API}/evidence/${item.id}/review`)
        .set('Authorization', bearer(legal.token))
        .send({ decision: 'accepted', comment: 'checked against the technical file' });
      expect(review.status).toBe(200);
    }
    for (const type of MODULE_A_PATH) {
      const before = await getCase();
      const event = before.allowedEvents.find((e: AllowedEvent) => e.type === type);
      expect(event).toBeDefined();
      if (event.signature) {
        const asWorkshop = await send({ type, signature: { meaning: event.signature } }, workshop.token);
        expect(asWorkshop.status).toBe(403);
        expect(asWorkshop.body.detail).toContain('legal');
        const unsigned = await send({ type }, legal.token, { 'If-Match': `"${before.version}"` });
        expect(unsigned.status).toBe(422);
        expect(unsigned.body.blockedBy.join(' ')).toContain(event.signature);
      }
      const body = event.signature
        ? { type, signature: { meaning: event.signature } }
        : { type, comment: `${type} done` };
      const res = await send(body, event.signature ? legal.token : workshop.token, {
        'If-Match': `"${before.version}"`,
      });
      expect({ type, status: res.status, body: res.status === 200 ? undefined : res.body }).toEqual({
        type,
        status: 200,
        body: undefined,
      });
      expect(res.body.version).toBe(before.version + 1);
      expect(res.headers.etag).toBe(`"${before.version + 1}"`);
    }
    const done = await getCase();
    expect(done).toMatchObject({ state: 'placed_on_market', status: 'placed-on-market' });
    expect(done.signatures.map((s: { meaning: string }) => s.meaning)).toEqual([
      'technical file approved',
      'declaration of conformity',
    ]);
    for (const s of done.signatures) {
      expect(s).toMatchObject({ current: true, signer: { id: legal.userId, role: 'legal' } });
      expect(s.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(s.covered.length).toBeGreaterThan(3);
    }
    const audit = await t.http.get(`${API}/audit/case:${caseId}`).set('Authorization', bearer(legal.token));
    expect(audit.body.events.map((e: { action: string }) => e.action)).toEqual([
      'case.opened',
      ...MODULE_A_PATH.map(() => 'case.event'),
    ]);
    const verify = await t.http
      .get(`${API}/audit/case:${caseId}/verify`)
      .set('Authorization', bearer(legal.token));
    expect(verify.body).toMatchObject({ valid: true, length: MODULE_A_PATH.length + 1 });
    expect(
      (await t.http.get(`${API}/audit/case:${caseId}`).set('Authorization', bearer(otherWorkshop.token)))
        .status,
    ).toBe(404);
  });

  it('shows a signature as stale when evidence it covered is rejected later', async () => {
    const c = await getCase();
    const declaration = c.signatures.find(
      (s: { meaning: string }) => s.meaning === 'declaration of conformity',
    );
    const covered = declaration.covered[0];
    const reject = await t.http
      .post(`${API}/evidence/${covered.id}/review`)
      .set('Authorization', bearer(legal.token))
      .send({ decision: 'rejected', comment: 'the lab withdrew this report' });
    expect(reject.status).toBe(200);
    const after = await getCase();
    const stale = after.signatures.find(
      (s: { meaning: string }) => s.meaning === 'declaration of conformity',
    );
    expect(stale.current).toBe(false);
    expect(stale.staleBecause).toContain('rejected');

    // A new version of another covered document makes the technical-file approval stale too.
    const approval = after.signatures.find(
      (s: { meaning: string }) => s.meaning === 'technical file approved',
    );
    const own = (
      await t.http.get(`${API}/variants/${variantId}/evidence`).set('Authorization', bearer(legal.token))
    ).body.own.map((e: { id: string }) => e.id);
    const other = approval.covered.find((e: { id: string }) => e.id !== covered.id && own.includes(e.id));
    const replacement = await upload(t, workshop.token, `variants/${variantId}`, {
      kind: other.kind,
      supersedes: other.id,
    });
    expect(replacement.status).toBe(201);
    const later = await getCase();
    const superseded = later.signatures.find(
      (s: { meaning: string }) => s.meaning === 'technical file approved',
    );
    expect(superseded.current).toBe(false);
    expect(superseded.staleBecause).toContain('superseded');
  });

  it('blocks a step relying on a stale signature until it is signed again', async () => {
    const opened = await t.http
      .post(`${API}/variants/${variantId}/cases`)
      .set('Authorization', bearer(workshop.token))
      .send({ regime: 'gb-smsr', route: 'annex-viii' });
    expect(opened.status).toBe(201);
    const id = opened.body.id;
    const sendTo = async (type: string, expected = 200) => {
      const c = (await t.http.get(`${API}/cases/${id}`).set('Authorization', bearer(legal.token))).body;
      for (const r of c.requirements as Requirement[]) {
        if (!r.satisfied)
          await acceptedEvidence(t, workshop.token, legal.token, `variants/${variantId}`, { kind: r.kind });
      }
      const event = c.allowedEvents.find((e: AllowedEvent) => e.type === type);
      const body = event?.signature ? { type, signature: { meaning: event.signature } } : { type };
      const res = await t.http
        .post(`${API}/cases/${id}/events`)
        .set('Authorization', bearer(legal.token))
        .send(body);
      expect({ type, status: res.status, blockedBy: res.body.blockedBy }).toMatchObject({
        type,
        status: expected,
      });
      return res.body;
    };
    for (const type of MODULE_A_PATH.slice(0, MODULE_A_PATH.indexOf('APPLY_MARKING'))) await sendTo(type);

    // Legal withdraws a test report the signatures covered: both signatures go stale.
    const c = (await t.http.get(`${API}/cases/${id}`).set('Authorization', bearer(legal.token))).body;
    const covered = c.signatures.find(
      (s: { meaning: string }) => s.meaning === 'declaration of conformity',
    ).covered;
    const report =
      covered.find((e: { kind: string }) => e.kind === 'electrical-safety-test-report') ?? covered[0];
    const withdrawn = await t.http
      .post(`${API}/evidence/${report.id}/review`)
      .set('Authorization', bearer(legal.token))
      .send({ decision: 'rejected', comment: 'the laboratory withdrew the report' });
    expect(withdrawn.status).toBe(200);

    const blocked = await sendTo('APPLY_MARKING', 422);
    expect(blocked.blockedBy.join(' ')).toContain("the signature 'declaration of conformity' is stale");
    await sendTo('REVISE_DECLARATION');
    const stillBlocked = await sendTo('SIGN_DECLARATION', 422);
    expect(stillBlocked.blockedBy.join(' ')).toContain("the signature 'technical file approved' is stale");
    await sendTo('REOPEN_TECHNICAL_FILE');
    // A replacement report is uploaded and accepted (sendTo does it), then everything is signed again.
    await sendTo('APPROVE_TECHNICAL_FILE');
    await sendTo('SIGN_DECLARATION');
    await sendTo('APPLY_MARKING');
    const done = (await t.http.get(`${API}/cases/${id}`).set('Authorization', bearer(legal.token))).body;
    expect(done.state).toBe('ready_for_market');
    const current = done.signatures
      .filter((s: { current: boolean }) => s.current)
      .map((s: { meaning: string }) => s.meaning);
    expect(current.sort()).toEqual(['declaration of conformity', 'technical file approved']);
    expect(done.signatures.filter((s: { current: boolean }) => !s.current)).toHaveLength(2);
  });

  it('lets exactly one of 8 concurrent events with the same If-Match win; the others get 409', async () => {
    const res = await t.http
      .post(`${API}/variants/${variantId}/cases`)
      .set('Authorization', bearer(workshop.token))
      .send({ regime: 'eu-emc', route: 'A' });
    expect(res.status).toBe(201);
    const id = res.body.id;
    // Everything eu-emc asks for at scoping, accepted.
    for (const r of res.body.requirements as Requirement[]) {
      if (r.step === 'scoping' && !r.satisfied) {
        await acceptedEvidence(t, workshop.token, legal.token, `variants/${variantId}`, { kind: r.kind });
      }
    }
    const version = res.body.version;
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        t.http
          .post(`${API}/cases/${id}/events`)
          .set('Authorization', bearer(workshop.token))
          .set('If-Match', `"${version}"`)
          .send({ type: 'COMPLETE_SCOPING' }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    const conflictBody = results.find((r) => r.status === 409)!.body;
    expect(conflictBody).toMatchObject({ code: 'CASE_VERSION_CONFLICT', currentVersion: version + 1 });
    const audit = await t.http
      .get(`${API}/audit/case:${id}/verify`)
      .set('Authorization', bearer(legal.token));
    expect(audit.body).toMatchObject({ valid: true, length: 2 });
  });

  it('answers an idempotent replay with the original response and writes nothing', async () => {
    const res = await t.http
      .post(`${API}/variants/${variantId}/cases`)
      .set('Authorization', bearer(workshop.token))
      .send({ regime: 'eu-rohs', route: 'A' });
    expect(res.status).toBe(201);
    const id = res.body.id;
    for (const r of res.body.requirements as Requirement[]) {
      if (r.step === 'scoping' && !r.satisfied) {
        await acceptedEvidence(t, workshop.token, legal.token, `variants/${variantId}`, { kind: r.kind });
      }
    }
    const post = (body: Record<string, unknown>) =>
      t.http
        .post(`${API}/cases/${id}/events`)
        .set('Authorization', bearer(workshop.token))
        .set('Idempotency-Key', 'scoping-2026-11-26')
        .send(body);
    const first = await post({ type: 'COMPLETE_SCOPING', comment: 'scope agreed' });
    expect(first.status).toBe(200);
    const lengthAfterFirst = (
      await t.http.get(`${API}/audit/case:${id}`).set('Authorization', bearer(legal.token))
    ).body.events.length;
    const replay = await post({ type: 'COMPLETE_SCOPING', comment: 'scope agreed' });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
    const lengthAfterReplay = (
      await t.http.get(`${API}/audit/case:${id}`).set('Authorization', bearer(legal.token))
    ).body.events.length;
    expect(lengthAfterReplay).toBe(lengthAfterFirst);
    const rows = await t.database.reader.getRepository(CaseEntity).findOneByOrFail({ id });
    expect(rows.version).toBe(first.body.version);
    const misuse = await post({ type: 'SELECT_STANDARDS' });
    expect(misuse.status).toBe(422);
    expect(misuse.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  /** Opens a case and accepts every document its requirements name (as the workshop, reviewed by legal). */
  const openReady = async (regime: string, route: string, steps?: string[]) => {
    const res = await t.http
      .post(`${API}/variants/${variantId}/cases`)
      .set('Authorization', bearer(workshop.token))
      .send({ regime, route });
    expect(res.status).toBe(201);
    for (const r of res.body.requirements as Requirement[]) {
      if (!r.satisfied && (!steps || steps.includes(r.step))) {
        await acceptedEvidence(t, workshop.token, legal.token, `variants/${variantId}`, { kind: r.kind });
      }
    }
    return res.body as { id: string; version: number; requirements: Requirement[] };
  };

  it('answers every concurrent duplicate of a request with the same Idempotency-Key alike, and applies it once', async () => {
    for (const ifMatch of [true, false]) {
      const opened = await openReady(ifMatch ? 'gb-emc' : 'gb-rohs', 'A', ['scoping']);
      const key = `scoping-${opened.id}`;
      const results = await Promise.all(
        Array.from({ length: 6 }, () => {
          let req = t.http
            .post(`${API}/cases/${opened.id}/events`)
            .set('Authorization', bearer(workshop.token))
            .set('Idempotency-Key', key);
          if (ifMatch) req = req.set('If-Match', `"${opened.version}"`);
          return req.send({ type: 'COMPLETE_SCOPING' });
        }),
      );
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
      for (const r of results) expect(r.body).toEqual(results[0].body);
      const verify = await t.http
        .get(`${API}/audit/case:${opened.id}/verify`)
        .set('Authorization', bearer(legal.token));
      expect(verify.body).toMatchObject({ valid: true, length: 2 });
    }
  });

  it('opens at most one running case per regime and route, also when asked concurrently', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        t.http
          .post(`${API}/variants/${variantId}/cases`)
          .set('Authorization', bearer(workshop.token))
          .send({ regime: 'us-nrtl', route: 'listing' }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
  });

  it('lists the cases of every variant a caller sees in one order, however many variants there are', async () => {
    const maintainer = await createActor(t, ['maintainer'], 'Commons design team');
    const productId = await createProduct(t, maintainer.token, { ...MILL, key: 'listed-mill' });
    const opened: string[] = [];
    for (const key of ['listed-a', 'listed-b', 'listed-c']) {
      const id = await createVariant(t, workshop.token, productId, key, { placingOnMarket: '2027-03-01' });
      opened.push((await openCase(t, workshop.token, id, 'eu-emc', 'A')).id);
    }
    const listed = await t.http.get(`${API}/cases`).set('Authorization', bearer(legal.token));
    expect(listed.status).toBe(200);
    const ids: string[] = listed.body.map((c: { id: string }) => c.id);
    expect(new Set(ids.slice(-3))).toEqual(new Set(opened));
    // The repository reads a long list of variants in chunks; one variant per chunk gives the same.
    const repository = t.app.get(CaseRepository);
    const variantIds = [...new Set(listed.body.map((c: { variantId: string }) => c.variantId))] as string[];
    expect(variantIds.length).toBeGreaterThan(3);
    const chunked = await repository.list({ variantIds: variantIds.reverse() }, undefined, 1);
    expect(chunked.map((c) => c.id)).toEqual(ids);
  });

  it('records the role a user with several roles acted in: the one the workflow asks for', async () => {
    const both = await createActor(t, ['customiser', 'legal'], 'Workshop A', 'Dual role');
    const opened = await openReady('us-fcc-15b', 'sdoc');
    for (const type of ['COMPLETE_SCOPING', 'SUBMIT_TEST_REPORTS', 'SIGN_DECLARATION']) {
      const c = (await t.http.get(`${API}/cases/${opened.id}`).set('Authorization', bearer(both.token))).body;
      for (const r of c.requirements as Requirement[]) {
        if (!r.satisfied)
          await acceptedEvidence(t, both.token, legal.token, `variants/${variantId}`, { kind: r.kind });
      }
      const event = c.allowedEvents.find((e: AllowedEvent) => e.type === type);
      const body = event.signature ? { type, signature: { meaning: event.signature } } : { type };
      const res = await t.http
        .post(`${API}/cases/${opened.id}/events`)
        .set('Authorization', bearer(both.token))
        .send(body);
      expect({ type, status: res.status }).toEqual({ type, status: 200 });
    }
    const done = (await t.http.get(`${API}/cases/${opened.id}`).set('Authorization', bearer(both.token)))
      .body;
    expect(done.signatures).toEqual([
      expect.objectContaining({
        meaning: 'declaration of conformity',
        signer: expect.objectContaining({ role: 'legal' }),
      }),
    ]);
    const log = (await t.http.get(`${API}/audit/case:${opened.id}`).set('Authorization', bearer(legal.token)))
      .body.events;
    const roles = Object.fromEntries(
      log
        .slice(1)
        .map((e: { data: { type: string }; actor: { role: string } }) => [e.data.type, e.actor.role]),
    );
    expect(roles).toEqual({
      COMPLETE_SCOPING: 'customiser',
      SUBMIT_TEST_REPORTS: 'customiser',
      SIGN_DECLARATION: 'legal',
    });
  });

  it('judges again when the evidence changes between judging an event and committing it', async () => {
    const opened = await openReady('us-fcc-15b', 'certification', ['scoping']);
    const c = (await t.http.get(`${API}/cases/${opened.id}`).set('Authorization', bearer(legal.token))).body;
    const scoping = c.requirements.find(
      (r: Requirement & { satisfiedBy: { id: string; source: string }[] }) =>
        r.step === 'scoping' && r.satisfiedBy.some((e) => e.source === 'own'),
    );
    const item = scoping.satisfiedBy.find((e: { source: string }) => e.source === 'own').id;
    // Between the guard's judgement and the commit, legal withdraws the item the guard relied on.
    const db = t.database;
    const write = db.write.bind(db);
    let first = true;
    db.write = (async (work: Parameters<typeof write>[0]) => {
      if (first) {
        first = false;
        const res = await t.http
          .post(`${API}/evidence/${item}/review`)
          .set('Authorization', bearer(legal.token))
          .send({ decision: 'rejected', comment: 'withdrawn by the laboratory' });
        expect(res.status).toBe(200);
      }
      return write(work);
    }) as typeof db.write;
    try {
      const res = await t.http
        .post(`${API}/cases/${opened.id}/events`)
        .set('Authorization', bearer(workshop.token))
        .send({ type: 'COMPLETE_SCOPING' });
      expect(res.status).toBe(422);
      expect(res.body.blockedBy.join(' ')).toContain('rejected');
    } finally {
      db.write = write;
    }
    const after = (await t.http.get(`${API}/cases/${opened.id}`).set('Authorization', bearer(legal.token)))
      .body;
    expect(after).toMatchObject({ state: 'scoping', version: opened.version });
  });

  it('serves workflows as JSON loadable in XState and as Mermaid', async () => {
    const json = await t.http
      .get(`${API}/workflows/eu-module-a`)
      .set('Authorization', bearer(workshop.token));
    expect(json.status).toBe(200);
    expect(json.body.config.initial).toBe('scoping');
    const { createMachine } = await import('xstate');
    expect(() => createMachine(json.body.config)).not.toThrow();
    const mermaid = await t.http
      .get(`${API}/workflows/eu-module-a?format=mermaid`)
      .set('Authorization', bearer(workshop.token));
    expect(mermaid.status).toBe(200);
    expect(mermaid.text).toMatch(/^stateDiagram-v2/);
    expect(
      (await t.http.get(`${API}/workflows/nope`).set('Authorization', bearer(workshop.token))).status,
    ).toBe(404);
    expect(
      (
        await t.http
          .get(`${API}/workflows/eu-module-a?format=svg`)
          .set('Authorization', bearer(workshop.token))
      ).status,
    ).toBe(400);
  });
});
