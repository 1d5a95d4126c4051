import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { API, bearer, createActor, startApp, type Actor, type TestApp } from './support/app-harness.js';
import { DATABASE_KINDS } from './support/databases.js';
import { expectProblem } from './support/http-probes.js';

interface Entry {
  regime: string;
  market: string;
  applies: boolean;
  status: string;
  reasons: { condition: string; held: boolean; text: string; citation: string }[];
  routes: { id: string; notifiedBody: boolean; workflow: string; evidence: Record<string, string[]> }[];
  notifiedBodyRequired: boolean;
}

describe.each(DATABASE_KINDS)('content, regimes and applicability on %s', (kind) => {
  let t: TestApp;
  let maintainer: Actor;
  let workshop: Actor;
  let otherWorkshop: Actor;
  let legal: Actor;
  let variantId: string;
  let undecidedId: string;

  beforeAll(async () => {
    t = await startApp(kind);
    maintainer = await createActor(t, ['maintainer'], 'Commons design team');
    workshop = await createActor(t, ['customiser'], 'Workshop A');
    otherWorkshop = await createActor(t, ['customiser'], 'Workshop B');
    legal = await createActor(t, ['legal'], 'Legal team');
    const product = await t.http
      .post(`${API}/products`)
      .set('Authorization', bearer(maintainer.token))
      .send({
        key: 'bench-saw',
        name: 'Open bench saw',
        designVersion: '1.0.0',
        attributes: {
          kind: 'machinery',
          machineryAnnexI: 'B-1',
          harmonisedStandards: 'full',
          supplyVoltageAC: 230,
          digitalCircuitry: true,
          motorPowerW: 1200,
        },
      });
    expect(product.status).toBe(201);
    const variant = await t.http
      .post(`${API}/products/${product.body.id}/variants`)
      .set('Authorization', bearer(workshop.token))
      .send({
        key: 'saw-wifi-2027',
        name: 'Saw with Wi-Fi, placed 2027',
        overrides: { radio: 'integrated', internetConnected: true, placingOnMarket: '2027-03-01' },
      });
    expect(variant.status).toBe(201);
    variantId = variant.body.id;
    const undecided = await t.http
      .post(`${API}/products/${product.body.id}/variants`)
      .set('Authorization', bearer(workshop.token))
      .send({ key: 'saw-undecided', name: 'Saw, date open', overrides: {} });
    undecidedId = undecided.body.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('GET /content reports the content version and every definition', async () => {
    const res = await t.http.get(`${API}/content`).set('Authorization', bearer(workshop.token));
    expect(res.status).toBe(200);
    expect(res.body.version).toMatch(/^[0-9a-f]{64}$/);
    expect(res.body.files).toContain('rules/regimes/eu.yaml');
    expect(res.body.regimes).toHaveLength(15);
    expect(res.body.workflows.map((w: { id: string }) => w.id)).toContain('eu-module-a');
    expect(res.body.evidenceKinds.map((k: { id: string }) => k.id)).toContain('emc-test-report');
    expect(res.body.attributes.map((a: { name: string }) => a.name)).toContain('placingOnMarket');
    expect(res.body.parameters).toContainEqual(
      expect.objectContaining({ name: 'gbAcceptsCeUnderMachineryRegulation', confidence: 'L', value: false }),
    );
    expect(res.body.impactRules.length).toBeGreaterThan(0);
    expect(res.body.guards).toMatchObject({
      evidenceAccepted: expect.any(String),
      signaturePresent: expect.any(String),
      roleAllowed: expect.any(String),
    });
    expectProblem(await t.http.get(`${API}/content`), 401);
  });

  it('GET /regimes lists the definitions of one market, with conditions, citations and routes', async () => {
    const eu = await t.http.get(`${API}/regimes?market=EU`).set('Authorization', bearer(legal.token));
    expect(eu.status).toBe(200);
    expect(eu.body.map((r: { id: string }) => r.id)).toEqual([
      'eu-md',
      'eu-mr',
      'eu-lvd',
      'eu-emc',
      'eu-red',
      'eu-rohs',
    ]);
    const lvd = eu.body.find((r: { id: string }) => r.id === 'eu-lvd');
    expect(lvd.applies.find((c: { id: string }) => c.id === 'voltage-range')).toMatchObject({
      citation: 'Directive 2014/35/EU Art. 1',
      when: expect.stringContaining('supplyVoltageAC >= 50'),
    });
    expect(lvd.routes).toEqual([
      expect.objectContaining({ id: 'A', notifiedBody: false, workflow: 'eu-module-a' }),
    ]);
    const all = await t.http.get(`${API}/regimes`).set('Authorization', bearer(legal.token));
    expect(all.body).toHaveLength(15);
  });

  it('GET /regimes answers 400 for an unknown market or query field, 401 without a token', async () => {
    const unknown = await t.http.get(`${API}/regimes?market=FR`).set('Authorization', bearer(legal.token));
    expectProblem(unknown, 400);
    expect(unknown.body.errors).toEqual([{ field: 'market', message: 'market must be one of EU, GB, US' }]);
    expectProblem(
      await t.http.get(`${API}/regimes?country=EU`).set('Authorization', bearer(legal.token)),
      400,
    );
    expectProblem(await t.http.get(`${API}/regimes?market=EU`), 401);
  });

  it('GET /variants/{id}/applicability answers every regime of every market with reasons and routes', async () => {
    const res = await t.http
      .get(`${API}/variants/${variantId}/applicability`)
      .set('Authorization', bearer(workshop.token));
    expect(res.status).toBe(200);
    const answers = new Map<string, Entry>(res.body.map((e: Entry) => [e.regime, e]));
    expect([...answers.keys()]).toHaveLength(15);
    const mr = answers.get('eu-mr')!;
    expect(mr).toMatchObject({ applies: true, status: 'applies', notifiedBodyRequired: true });
    expect(mr.routes.map((r) => r.id)).toEqual(['B+C', 'H', 'G']);
    expect(mr.routes[0].evidence['notified-body']).toEqual(['type-examination-certificate']);
    expect(answers.get('eu-md')).toMatchObject({ applies: false, status: 'not-applicable' });
    expect(answers.get('eu-red')?.applies).toBe(true);
    // Radio standards not recorded as applied in full (the cautious default): a notified body, and
    // the RED's own certificate, not the Machinery Regulation's.
    const red = answers.get('eu-red')!;
    expect(red.notifiedBodyRequired).toBe(true);
    expect(red.routes.map((r) => [r.id, r.workflow, r.evidence['notified-body']])).toEqual([
      ['B+C', 'eu-type-examination', ['radio-type-examination-certificate']],
      ['H', 'eu-full-quality-assurance', ['radio-quality-system-approval']],
    ]);
    expect(answers.get('eu-emc')?.applies).toBe(false);
    expect(answers.get('us-fcc-radio')).toMatchObject({ applies: true, notifiedBodyRequired: true });
    for (const entry of answers.values()) {
      for (const reason of entry.reasons) expect(reason.citation).toMatch(/\S/);
    }
  });

  it('filters by markets, and says when the placing date is missing', async () => {
    const res = await t.http
      .get(`${API}/variants/${undecidedId}/applicability?markets=EU,US`)
      .set('Authorization', bearer(legal.token));
    expect(res.status).toBe(200);
    expect(new Set(res.body.map((e: Entry) => e.market))).toEqual(new Set(['EU', 'US']));
    expect(res.body).toHaveLength(9);
    const md = res.body.find((e: Entry) => e.regime === 'eu-md');
    expect(md).toMatchObject({ applies: false, status: 'undetermined', routes: [] });
    expect(md.reasons.at(-1).text).toMatch(/placing-on-market date is not set/);
    const gb = await t.http
      .get(`${API}/variants/${undecidedId}/applicability?markets=GB`)
      .set('Authorization', bearer(legal.token));
    expect(gb.body.map((e: Entry) => e.regime)).toEqual([
      'gb-smsr',
      'gb-eesr',
      'gb-emc',
      'gb-rer',
      'gb-rohs',
      'gb-psti',
    ]);
  });

  it('notes the undeclared attributes an answer assumed defaults for (an undeclared voltage takes the LVD out)', async () => {
    const product = await t.http
      .post(`${API}/products`)
      .set('Authorization', bearer(maintainer.token))
      .send({
        key: 'desk-engraver',
        name: 'Desk laser engraver',
        designVersion: '0.1.0',
        attributes: { kind: 'electrical-equipment', digitalCircuitry: true },
      });
    expect(product.status).toBe(201);
    const variant = await t.http
      .post(`${API}/products/${product.body.id}/variants`)
      .set('Authorization', bearer(workshop.token))
      .send({ key: 'engraver-2027', name: 'Engraver', overrides: { placingOnMarket: '2027-03-01' } });
    expect(variant.status).toBe(201);
    const assumed = async (id: string, regime: string) => {
      const res = await t.http
        .get(`${API}/variants/${id}/applicability?markets=EU`)
        .set('Authorization', bearer(legal.token));
      expect(res.status).toBe(200);
      const entry = res.body.find((e: Entry & { notes: Entry['reasons'] }) => e.regime === regime);
      return {
        entry,
        note: entry.notes.find((n: { condition: string }) => n.condition === 'assumed-defaults'),
      };
    };
    const undeclared = await assumed(variant.body.id, 'eu-lvd');
    expect(undeclared.entry.applies).toBe(false);
    expect(undeclared.note).toMatchObject({ held: true, citation: 'rules/attributes.yaml (defaults)' });
    expect(undeclared.note.text).toContain('supplyVoltageAC = 0 V rms');
    expect(undeclared.note.text).toContain('supplyVoltageDC = 0 V');
    // Read only by an evidence requirement (the EU economic operator designation).
    expect(undeclared.note.text).toContain('manufacturerEstablishedInEU = false');
    expect(undeclared.note.text).not.toContain('placingOnMarket');
    // The saw declares its AC supply (and the variant its placing date): neither is listed.
    const declared = await assumed(variantId, 'eu-lvd');
    expect(declared.note?.text ?? '').not.toContain('supplyVoltageAC');
    expect(declared.note?.text ?? '').not.toContain('placingOnMarket');
  });

  it('answers 400 for unknown markets and bad ids, 401 without a token, 404 for variants the caller may not see', async () => {
    const url = `${API}/variants/${variantId}/applicability`;
    const unknown = await t.http.get(`${url}?markets=EU,FR`).set('Authorization', bearer(workshop.token));
    expectProblem(unknown, 400);
    expect(unknown.body.errors).toEqual([
      { field: 'markets', message: "unknown market 'FR'; markets are EU, GB, US" },
    ]);
    expectProblem(await t.http.get(`${url}?markets=`).set('Authorization', bearer(workshop.token)), 400);
    expectProblem(
      await t.http
        .get(`${API}/variants/not-a-uuid/applicability`)
        .set('Authorization', bearer(workshop.token)),
      400,
    );
    expectProblem(await t.http.get(url), 401);
    expectProblem(await t.http.get(url).set('Authorization', bearer(otherWorkshop.token)), 404);
    expectProblem(await t.http.get(url).set('Authorization', bearer(maintainer.token)), 404);
    expectProblem(
      await t.http
        .get(`${API}/variants/00000000-0000-4000-8000-000000000000/applicability`)
        .set('Authorization', bearer(legal.token)),
      404,
    );
  });
});
