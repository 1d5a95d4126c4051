import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { effectiveAttributes, type AttributeValues } from '../content/attributes.js';
import type { ParameterValues } from '../content/conditions.js';
import type { Content } from '../content/content.js';
import { loadContent } from '../content/content-loader.js';
import { invalidatedEvidence } from '../content/impact.js';
import { parameterValues } from '../content/parameters.js';
import type { Market } from '../content/regimes.js';
import { assessApplicability, requiredEvidence, type RegimeApplicability } from './applicability.js';

/*
 * Golden tests: the shipped rules (rules/) against variants whose legal answer is known from
 * reference/regulatory.md. Each test names the provision it checks.
 */

let content: Content;
let params: ParameterValues;

beforeAll(() => {
  content = loadContent(resolve(import.meta.dirname, '..', '..'));
  params = parameterValues(content.parameters);
});

/** A desktop CNC mill: machinery, 230 V, digital controller, not listed in Annex I. */
const MILL: AttributeValues = {
  kind: 'machinery',
  supplyVoltageAC: 230,
  digitalCircuitry: true,
  intendedUsers: 'professional',
  motorPowerW: 800,
  placingOnMarket: '2026-12-01',
};
const AFTER = '2027-03-01';

function attributesOf(overrides: AttributeValues): AttributeValues {
  return effectiveAttributes(content.attributes, { ...MILL, ...overrides });
}

function assess(
  overrides: AttributeValues,
  options: { markets?: Market[]; params?: Partial<Record<string, unknown>> } = {},
): Map<string, RegimeApplicability> {
  const p = { ...params, ...options.params } as ParameterValues;
  const results = assessApplicability(content.regimes.values(), attributesOf(overrides), p, options.markets);
  return new Map(results.map((r) => [r.regime, r]));
}

function regime(
  overrides: AttributeValues,
  id: string,
  options: Parameters<typeof assess>[1] = {},
): RegimeApplicability {
  const result = assess(overrides, options).get(id);
  if (!result) throw new Error(`no answer for ${id}`);
  return result;
}

const routeIds = (r: RegimeApplicability): string[] => r.routes.map((route) => route.id);

/** The reason that decided a regime that does not apply (the last one checked). */
const decidingReason = (r: RegimeApplicability) => r.reasons[r.reasons.length - 1];

describe('EU machinery: Directive 2006/42/EC or Regulation (EU) 2023/1230 by placing date', () => {
  it('Reg. 2023/1230 Art. 52(1), 54: a unit placed before 20 Jan 2027 follows Directive 2006/42/EC', () => {
    const answer = assess({ placingOnMarket: '2027-01-19' });
    expect(answer.get('eu-md')?.applies).toBe(true);
    expect(answer.get('eu-mr')?.applies).toBe(false);
    expect(decidingReason(answer.get('eu-mr')!).citation).toMatch(/2023\/1230 Art\. 54/);
  });

  it('Reg. 2023/1230 Art. 54: a unit placed on 20 Jan 2027 follows the Regulation', () => {
    const answer = assess({ placingOnMarket: '2027-01-20' });
    expect(answer.get('eu-mr')?.applies).toBe(true);
    expect(answer.get('eu-md')?.applies).toBe(false);
    expect(decidingReason(answer.get('eu-md')!).text).toMatch(/no grace period/);
  });

  it('Reg. 2023/1230 Art. 52(1), 54: without a placing date neither machinery act can be chosen', () => {
    const answer = assess({ placingOnMarket: null });
    for (const id of ['eu-md', 'eu-mr']) {
      const r = answer.get(id)!;
      expect(r.applies).toBe(false);
      expect(r.status).toBe('undetermined');
      expect(r.routes).toEqual([]);
      expect(decidingReason(r)).toMatchObject({ condition: 'placing-date-set', held: false });
      expect(decidingReason(r).text).toMatch(/Set the date/);
      expect(decidingReason(r).citation).toMatch(/Art\. 52\(1\), 54/);
    }
  });

  it('Dir. 2006/42/EC Art. 1, 2(a) and Reg. 2023/1230 Art. 3(1): electrical equipment is not machinery', () => {
    const answer = assess({ kind: 'electrical-equipment', placingOnMarket: AFTER });
    for (const id of ['eu-md', 'eu-mr', 'gb-smsr']) {
      expect(answer.get(id)).toMatchObject({ applies: false, status: 'not-applicable', routes: [] });
      expect(decidingReason(answer.get(id)!).condition).toBe('machinery');
    }
  });
});

describe('Regulation (EU) 2023/1230 Art. 25: routes', () => {
  it('Art. 25(4): machinery not listed in Annex I uses Module A only, without a notified body', () => {
    const r = regime({ placingOnMarket: AFTER, harmonisedStandards: 'none' }, 'eu-mr');
    expect(r.applies).toBe(true);
    expect(routeIds(r)).toEqual(['A']);
    expect(r.notifiedBodyRequired).toBe(false);
    expect(r.routes[0]).toMatchObject({ notifiedBody: false, workflow: 'eu-module-a' });
    expect(r.routes[0].reasons.map((x) => x.citation)).toContain('Regulation (EU) 2023/1230 Art. 25(4)');
    expect(r.routesNotAllowed.map((x) => x.id)).toEqual(['B+C', 'H', 'G']);
  });

  it('Art. 25(4): full harmonised standards do not open third-party routes for unlisted machinery', () => {
    const r = regime({ placingOnMarket: AFTER, harmonisedStandards: 'full' }, 'eu-mr');
    expect(routeIds(r)).toEqual(['A']);
  });

  it('Art. 25(3), 20(1): Part B with full standards not cited under the Regulation needs B+C, H or G', () => {
    const r = regime(
      { placingOnMarket: AFTER, machineryAnnexI: 'B-1', harmonisedStandards: 'full' },
      'eu-mr',
    );
    expect(routeIds(r)).toEqual(['B+C', 'H', 'G']);
    expect(r.notifiedBodyRequired).toBe(true);
    const refusal = r.routesNotAllowed.find((x) => x.id === 'A')!;
    const cited = refusal.reasons.find((x) => x.condition === 'part-b-fully-standardised.standards-cited')!;
    expect(cited).toMatchObject({ held: false, confidence: 'L' });
    expect(cited.citation).toMatch(/Art\. 20\(1\), 25\(3\); parameter mrCitedCategoryStandards/);
  });

  it('Art. 25(3)(a): Part B designed in full to standards cited for its category may use Module A', () => {
    const r = regime(
      { placingOnMarket: AFTER, machineryAnnexI: 'B-1', harmonisedStandards: 'full' },
      'eu-mr',
      {
        params: { mrCitedCategoryStandards: ['B-1'] },
      },
    );
    expect(routeIds(r)).toEqual(['A', 'B+C', 'H', 'G']);
    expect(r.notifiedBodyRequired).toBe(false);
    expect(r.routes[0].reasons.map((x) => x.condition)).toEqual([
      'basis',
      'part-b-fully-standardised.in-part-b',
      'part-b-fully-standardised.standards-applied-in-full',
      'part-b-fully-standardised.standards-cited',
    ]);
  });

  it('Art. 25(3) second subparagraph: Part B with standards applied only in part needs a notified body', () => {
    const r = regime(
      { placingOnMarket: AFTER, machineryAnnexI: 'B-9', harmonisedStandards: 'partial' },
      'eu-mr',
      {
        params: { mrCitedCategoryStandards: ['B-9'] },
      },
    );
    expect(routeIds(r)).toEqual(['B+C', 'H', 'G']);
    expect(r.notifiedBodyRequired).toBe(true);
    const reason = r.routesNotAllowed[0].reasons.find((x) =>
      x.condition.endsWith('standards-applied-in-full'),
    );
    expect(reason?.citation).toBe('Regulation (EU) 2023/1230 Art. 25(3) second subparagraph');
  });

  it('Art. 25(2): Annex I Part A machinery (A-3 vehicle servicing lift) needs B+C, H or G', () => {
    const r = regime(
      { placingOnMarket: AFTER, machineryAnnexI: 'A-3', harmonisedStandards: 'full' },
      'eu-mr',
    );
    expect(routeIds(r)).toEqual(['B+C', 'H', 'G']);
    expect(r.notifiedBodyRequired).toBe(true);
    expect(r.routes.every((x) => x.notifiedBody)).toBe(true);
    expect(r.routes.map((x) => x.workflow)).toEqual([
      'eu-type-examination',
      'eu-full-quality-assurance',
      'eu-unit-verification',
    ]);
  });

  it('Annex I Part A items 5 and 6: a self-evolving ML safety function puts unlisted machinery into Part A', () => {
    const r = regime({ placingOnMarket: AFTER, mlSafetyFunction: 'self-evolving' }, 'eu-mr');
    expect(routeIds(r)).toEqual(['B+C', 'H', 'G']);
    expect(r.notifiedBodyRequired).toBe(true);
    expect(r.routes[0].reasons[1].citation).toMatch(/Art\. 25\(2\)\(a\); Annex I Part A \(items 5 and 6/);
  });

  it('Annex I Part A item 6 prevails over Part B: self-evolving ML closes Module A even with cited standards', () => {
    const r = regime(
      {
        placingOnMarket: AFTER,
        machineryAnnexI: 'B-1',
        harmonisedStandards: 'full',
        mlSafetyFunction: 'self-evolving',
      },
      'eu-mr',
      { params: { mrCitedCategoryStandards: ['B-1'] } },
    );
    expect(routeIds(r)).toEqual(['B+C', 'H', 'G']);
  });

  it('Annex I Part A items 5, 6: a fixed (not self-evolving) ML safety function leaves unlisted machinery on Module A', () => {
    const r = regime({ placingOnMarket: AFTER, mlSafetyFunction: 'fixed' }, 'eu-mr');
    expect(routeIds(r)).toEqual(['A']);
    const evidence = requiredEvidence(
      content.regimes.get('eu-mr')!,
      'A',
      attributesOf({ mlSafetyFunction: 'fixed' }),
      params,
    );
    expect(evidence['risk-assessment']).toContain('ml-safety-function-assessment');
  });

  it('Art. 11, 22, Annex V Part B: partly completed machinery gets a declaration of incorporation, not of conformity', () => {
    const overrides = { kind: 'partly-completed-machinery', placingOnMarket: AFTER };
    const r = regime(overrides, 'eu-mr');
    expect(routeIds(r)).toEqual(['A']);
    expect(r.routes[0].reasons[1].citation).toMatch(/Art\. 11, 22/);
    // Its own workflow: declaration of incorporation, no CE marking under the Regulation.
    expect(r.routes[0].workflow).toBe('eu-mr-partly-completed');
    expect(regime({ placingOnMarket: AFTER }, 'eu-mr').routes[0].workflow).toBe('eu-module-a');
    const evidence = requiredEvidence(content.regimes.get('eu-mr')!, 'A', attributesOf(overrides), params);
    expect(evidence.declaration).toEqual(['declaration-of-incorporation']);
    expect(evidence['instructions-and-marking']).toEqual([
      'assembly-instructions',
      'eu-economic-operator-designation',
    ]);
  });

  it('Annex III 1.1.9, 1.2.1: connected machinery needs a cybersecurity assessment also without a radio', () => {
    const needs = (o: AttributeValues) =>
      requiredEvidence(
        content.regimes.get('eu-mr')!,
        'A',
        attributesOf({ placingOnMarket: AFTER, ...o }),
        params,
      );
    expect(needs({ internetConnected: true })['risk-assessment']).toContain('cybersecurity-assessment');
    expect(needs({ internetConnected: false })['risk-assessment']).not.toContain('cybersecurity-assessment');
    const entry = content.regimes.get('eu-mr')!.evidence.find((e) => e.kind === 'cybersecurity-assessment');
    expect(entry?.citation).toMatch(/^Regulation \(EU\) 2023\/1230 Annex III 1\.1\.9 .*1\.2\.1/);
  });

  it('Annex I Part A item 6 ("in respect only of those systems"): the whole-machine reading is shown as a doubt (L)', () => {
    const r = regime({ placingOnMarket: AFTER, mlSafetyFunction: 'self-evolving' }, 'eu-mr');
    expect(r.notes.find((n) => n.condition === 'ml-part-a-only-for-those-systems')).toMatchObject({
      confidence: 'L',
      citation: 'Regulation (EU) 2023/1230 Annex I Part A item 6; Art. 25(2)',
    });
    const partA = regime(
      { placingOnMarket: AFTER, machineryAnnexI: 'A-3', mlSafetyFunction: 'self-evolving' },
      'eu-mr',
    );
    expect(partA.notes.map((n) => n.condition)).not.toContain('ml-part-a-only-for-those-systems');
  });

  it('AI Act Art. 6(1), 113: the application date for Annex I products is a low-confidence parameter', () => {
    const from = regime({ placingOnMarket: '2027-09-01', mlSafetyFunction: 'fixed' }, 'eu-mr').notes;
    expect(from.find((n) => n.condition === 'ai-act')).toMatchObject({ confidence: 'L' });
    expect(from.find((n) => n.condition === 'ai-act')?.text).toMatch(/apply from 2027-08-02/);
    const before = regime({ placingOnMarket: AFTER, mlSafetyFunction: 'fixed' }, 'eu-mr').notes;
    expect(before.map((n) => n.condition)).toEqual(expect.arrayContaining(['ai-act-not-yet-applicable']));
    expect(before.map((n) => n.condition)).not.toContain('ai-act');
    expect(content.parameters.get('aiActAnnexIApplicationDate')).toMatchObject({ confidence: 'L' });
  });

  it('Annex VII 7: the review window of the EU type-examination certificate is a low-confidence parameter', () => {
    const note = regime({ placingOnMarket: AFTER, machineryAnnexI: 'B-1' }, 'eu-mr').notes.find(
      (n) => n.condition === 'type-examination-review',
    );
    expect(note).toMatchObject({ confidence: 'L' });
    expect(note?.text).toMatch(
      /every 5 years, and the review is applied for within the window of 12, 6 months/,
    );
    expect(content.parameters.get('mrTypeExaminationReviewWindowMonths')).toMatchObject({
      value: ['12', '6'],
      confidence: 'L',
    });
    expect(regime({ placingOnMarket: AFTER }, 'eu-mr').notes.map((n) => n.condition)).not.toContain(
      'type-examination-review',
    );
  });

  it('CRA (Regulation (EU) 2024/2847): connected machinery without a radio is also shown the CRA note', () => {
    const connected = { placingOnMarket: '2028-01-10', internetConnected: true } as const;
    expect(regime(connected, 'eu-mr').notes.map((n) => n.condition)).toContain('cyber-resilience-act');
    expect(regime(connected, 'eu-emc').notes.map((n) => n.condition)).toContain('cyber-resilience-act');
    expect(
      regime({ ...connected, internetConnected: false }, 'eu-mr').notes.map((n) => n.condition),
    ).not.toContain('cyber-resilience-act');
  });

  it('Annex VII 7: the EU type-examination certificate review period is the documented parameter', () => {
    const validity = content.regimes.get('eu-mr')!.validity;
    expect(validity).toEqual([
      expect.objectContaining({
        kind: 'type-examination-certificate',
        years: 5,
        parameter: 'mrTypeExaminationReviewYears',
        confidence: 'L',
      }),
    ]);
  });
});

describe('Directive 2006/42/EC Art. 12: routes before 20 Jan 2027', () => {
  it('Art. 12(2): machinery not in Annex IV follows Annex VIII only', () => {
    const r = regime({}, 'eu-md');
    expect(routeIds(r)).toEqual(['annex-viii']);
    expect(r.notifiedBodyRequired).toBe(false);
    expect(r.routes[0].reasons[1].citation).toBe('Directive 2006/42/EC Art. 12(2)');
  });

  it('Art. 12(3): Annex IV machinery fully to harmonised standards may use Annex VIII, IX or X', () => {
    const r = regime({ machineryAnnexI: 'B-1', harmonisedStandards: 'full' }, 'eu-md');
    expect(routeIds(r)).toEqual(['annex-viii', 'annex-ix', 'annex-x']);
    expect(r.notifiedBodyRequired).toBe(false);
    expect(r.routes.map((x) => x.workflow)).toEqual(['eu-md-annex-viii', 'eu-md-annex-ix', 'eu-md-annex-x']);
  });

  it('Art. 12(4): Annex IV machinery not fully to harmonised standards needs Annex IX or X', () => {
    const r = regime({ machineryAnnexI: 'B-9', harmonisedStandards: 'partial' }, 'eu-md');
    expect(routeIds(r)).toEqual(['annex-ix', 'annex-x']);
    expect(r.notifiedBodyRequired).toBe(true);
    const refused = r.routesNotAllowed[0].reasons.find((x) =>
      x.condition.endsWith('standards-applied-in-full'),
    );
    expect(refused).toMatchObject({ held: false, citation: 'Directive 2006/42/EC Art. 12(3)(a), 12(4)' });
  });

  it('Annex IV: Part A items of the Regulation map to Annex IV (A-3 = item 16 vehicle servicing lifts)', () => {
    expect(routeIds(regime({ machineryAnnexI: 'A-3' }, 'eu-md'))).toEqual(['annex-ix', 'annex-x']);
  });

  it('Annex IV: a self-evolving ML safety function has no Annex IV category under the Directive', () => {
    const r = regime({ mlSafetyFunction: 'self-evolving' }, 'eu-md');
    expect(routeIds(r)).toEqual(['annex-viii']);
    expect(r.notes.map((n) => n.condition)).toContain('ml-safety-function-not-listed');
  });

  it('Art. 13: partly completed machinery has no Annex IX/X route', () => {
    const r = regime({ kind: 'partly-completed-machinery', machineryAnnexI: 'B-1' }, 'eu-md');
    expect(routeIds(r)).toEqual(['annex-viii']);
    expect(r.routes[0].reasons[1].citation).toMatch(/Art\. 13/);
    expect(r.routes[0].workflow).toBe('eu-md-partly-completed');
    const evidence = requiredEvidence(
      content.regimes.get('eu-md')!,
      'annex-viii',
      attributesOf({ kind: 'partly-completed-machinery' }),
      params,
    );
    expect(evidence.declaration).toEqual(['declaration-of-incorporation']);
    expect(evidence['instructions-and-marking']).toEqual([
      'assembly-instructions',
      'eu-economic-operator-designation',
    ]);
    expect(evidence['technical-file']).not.toContain('production-control-records');
  });

  it('Reg. 2023/1230 Art. 52(1), 54: units of a Directive variant placed from 20 Jan 2027 need a Regulation case', () => {
    const note = regime({}, 'eu-md').notes.find((n) => n.condition === 'units-after-application-date');
    expect(note).toMatchObject({ citation: 'Regulation (EU) 2023/1230 Art. 52(1), 54' });
    expect(note?.text).toMatch(
      /^Only units placed on the market before 2027-01-20 are covered\. Every unit of this variant placed from that date needs a Regulation \(EU\) 2023\/1230 procedure \(open an eu-mr case\)/,
    );
  });

  it('Annex IX 9.3: the EC type-examination certificate is reviewed every five years', () => {
    expect(content.regimes.get('eu-md')!.validity).toEqual([
      expect.objectContaining({
        kind: 'ec-type-examination-certificate',
        years: 5,
        citation: 'Directive 2006/42/EC Annex IX 9.3, 9.4',
      }),
    ]);
  });
});

describe('Low Voltage Directive 2014/35/EU', () => {
  it('MD Annex I 1.5.1 / MR Annex III 1.5.1: the LVD is not applied to machinery, which is told why', () => {
    for (const placingOnMarket of ['2026-12-01', AFTER]) {
      const answer = assess({ placingOnMarket });
      const lvd = answer.get('eu-lvd')!;
      expect(lvd.applies).toBe(false);
      expect(decidingReason(lvd).citation).toMatch(
        /2006\/42\/EC Annex I 1\.5\.1, Art\. 1\(2\)\(k\); Regulation \(EU\) 2023\/1230 Annex III 1\.5\.1/,
      );
      const machineryAct = answer.get(placingOnMarket === AFTER ? 'eu-mr' : 'eu-md')!;
      expect(machineryAct.notes.map((n) => n.condition)).toContain(
        'electrical-risks-governed-by-machinery-act',
      );
    }
  });

  it('MD/MR 1.5.1 cover machinery only: 230 V partly completed machinery is under the LVD while the parameter says so (L)', () => {
    const pcm = { kind: 'partly-completed-machinery', placingOnMarket: AFTER } as const;
    expect(content.parameters.get('lvdForPartlyCompletedMachinery')).toMatchObject({
      value: true,
      confidence: 'L',
    });
    expect(regime(pcm, 'eu-lvd').applies).toBe(true);
    expect(regime(pcm, 'gb-eesr').applies).toBe(true);
    const off = regime(pcm, 'eu-lvd', { params: { lvdForPartlyCompletedMachinery: false } });
    expect(decidingReason(off)).toMatchObject({ condition: 'not-machinery', held: false });
  });

  it('Art. 1, Annex III: 230 V electrical equipment is in scope, Module A only, never a notified body', () => {
    const r = regime({ kind: 'electrical-equipment' }, 'eu-lvd');
    expect(r.applies).toBe(true);
    expect(routeIds(r)).toEqual(['A']);
    expect(r.notifiedBodyRequired).toBe(false);
    expect(r.routes[0].reasons[0].citation).toBe('Directive 2014/35/EU Art. 6(2); Annex III');
  });

  it.each([
    [{ supplyVoltageAC: 48 }, false],
    [{ supplyVoltageAC: 50 }, true],
    [{ supplyVoltageAC: 1000 }, true],
    [{ supplyVoltageAC: 1001 }, false],
    [{ supplyVoltageAC: 0, supplyVoltageDC: 24 }, false],
    [{ supplyVoltageAC: 0, supplyVoltageDC: 74 }, false],
    [{ supplyVoltageAC: 0, supplyVoltageDC: 75 }, true],
    [{ supplyVoltageAC: 0, supplyVoltageDC: 1500 }, true],
  ])('Art. 1 voltage limits (50-1000 V AC, 75-1500 V DC): %j applies = %s', (supply, applies) => {
    const r = regime({ kind: 'electrical-equipment', ...supply }, 'eu-lvd');
    expect(r.applies).toBe(applies);
    if (!applies)
      expect(decidingReason(r)).toMatchObject({
        condition: 'voltage-range',
        citation: 'Directive 2014/35/EU Art. 1',
      });
  });
});

describe('Radio Equipment Directive 2014/53/EU', () => {
  const CONTROLLER = { kind: 'electrical-equipment', radio: 'integrated', radioStandards: 'full' } as const;

  it('Art. 3(1)(a), (b): an integrated radio makes the product radio equipment; RED replaces EMC and LVD', () => {
    const answer = assess(CONTROLLER);
    expect(answer.get('eu-red')?.applies).toBe(true);
    expect(answer.get('eu-emc')?.applies).toBe(false);
    expect(answer.get('eu-lvd')?.applies).toBe(false);
    expect(decidingReason(answer.get('eu-emc')!).citation).toMatch(/2014\/30\/EU Art\. 2\(2\)\(a\)/);
    expect(decidingReason(answer.get('eu-lvd')!).citation).toMatch(/2014\/53\/EU Art\. 1\(4\), 3\(1\)\(a\)/);
  });

  it('Art. 2(1)(1): a removable certified radio module leaves the host under EMC and LVD', () => {
    const answer = assess({ ...CONTROLLER, radio: 'removable-module' });
    expect(answer.get('eu-red')?.applies).toBe(false);
    expect(decidingReason(answer.get('eu-red')!).text).toMatch(/removable plug-in module/);
    expect(answer.get('eu-emc')?.applies).toBe(true);
    expect(answer.get('eu-lvd')?.applies).toBe(true);
  });

  it('Art. 17(3), Delegated Reg. 2022/30: EN 18031 with restricted options closes Module A', () => {
    const r = regime(
      { ...CONTROLLER, internetConnected: true, cybersecurityStandards: 'restricted' },
      'eu-red',
    );
    expect(routeIds(r)).toEqual(['B+C', 'H']);
    expect(r.notifiedBodyRequired).toBe(true);
    const refusal = r.routesNotAllowed.find((x) => x.id === 'A')!;
    expect(refusal.reasons.map((x) => x.citation)).toEqual(
      expect.arrayContaining([expect.stringMatching(/Implementing Decision \(EU\) 2025\/138/)]),
    );
  });

  it('Art. 17(3): EN 18031 applied in full keeps Module A open for an internet-connected product', () => {
    const r = regime({ ...CONTROLLER, internetConnected: true, cybersecurityStandards: 'full' }, 'eu-red');
    expect(routeIds(r)).toEqual(['A', 'B+C', 'H']);
    expect(r.notifiedBodyRequired).toBe(false);
  });

  it('Art. 3(3)(d)-(f), Delegated Reg. 2022/30 Art. 1: without internet connection EN 18031 is not needed for Module A', () => {
    const attributes = { ...CONTROLLER, internetConnected: false, cybersecurityStandards: 'none' };
    const r = regime(attributes, 'eu-red');
    expect(routeIds(r)).toEqual(['A', 'B+C', 'H']);
    const evidence = requiredEvidence(content.regimes.get('eu-red')!, 'A', attributesOf(attributes), params);
    expect(evidence.testing).not.toContain('cybersecurity-assessment');
    const connected = requiredEvidence(
      content.regimes.get('eu-red')!,
      'A',
      attributesOf({ ...attributes, internetConnected: true }),
      params,
    );
    expect(connected.testing).toContain('cybersecurity-assessment');
  });

  it('Art. 17(4): radio standards (Art. 3(2)) applied only in part or not at all close Module A', () => {
    for (const radioStandards of ['partial', 'none']) {
      const r = regime({ ...CONTROLLER, radioStandards }, 'eu-red');
      expect(routeIds(r)).toEqual(['B+C', 'H']);
      expect(r.notifiedBodyRequired).toBe(true);
      const refused = r.routesNotAllowed.find((x) => x.id === 'A')!;
      expect(refused.reasons.find((x) => x.condition.endsWith('radio-standards-applied'))).toMatchObject({
        held: false,
        citation: 'Directive 2014/53/EU Art. 3(2), 17(3), 17(4)',
      });
      expect(routeIds(regime({ ...CONTROLLER, radioStandards }, 'gb-rer'))).toEqual(['B+C', 'H']);
    }
    // The default is the cautious one: a radio needs a notified body until its standards are recorded.
    expect(routeIds(regime({ kind: 'electrical-equipment', radio: 'integrated' }, 'eu-red'))).toEqual([
      'B+C',
      'H',
    ]);
  });

  it('Art. 10(10), Annex V (i): restrictions of use go on the packaging; the marking evidence cites them', () => {
    const r = regime({ radio: 'integrated' }, 'eu-red');
    expect(r.notes.find((n) => n.condition === 'restrictions-of-use')?.citation).toBe(
      'Directive 2014/53/EU Art. 10(10); Annex V (i)',
    );
    const marking = content.regimes.get('eu-red')!.evidence.find((e) => e.kind === 'marking-and-labels');
    expect(marking?.citation).toBe('Directive 2014/53/EU Art. 10(6), 10(7), 10(10), 19, 20; Annex V (i)');
    expect(content.evidenceKinds.get('product-description')?.source).toMatch(
      /2014\/53\/EU Annex V \(a\)\(i\), \(ii\)/,
    );
  });

  it('MR Art. 21(3): machinery with an integrated radio falls under the Regulation and RED together', () => {
    const answer = assess({ radio: 'integrated', placingOnMarket: AFTER });
    expect(answer.get('eu-mr')?.applies).toBe(true);
    expect(answer.get('eu-red')?.applies).toBe(true);
    expect(
      answer.get('eu-mr')?.notes.find((n) => n.condition === 'machinery-with-integrated-radio')?.confidence,
    ).toBe('L');
  });
});

describe('EMC Directive 2014/30/EU and RoHS Directive 2011/65/EU', () => {
  it("EMC Art. 14: Module A or B+C at the manufacturer's choice, so no notified body is required", () => {
    const r = regime({}, 'eu-emc');
    expect(routeIds(r)).toEqual(['A', 'B+C']);
    expect(r.notifiedBodyRequired).toBe(false);
  });

  it('EMC Art. 3(2)(a): a 24 V sub-assembly for end users is apparatus; the LVD does not apply', () => {
    const answer = assess({ kind: 'electronic-subassembly', supplyVoltageAC: 0, supplyVoltageDC: 24 });
    expect(answer.get('eu-emc')?.applies).toBe(true);
    expect(answer.get('eu-lvd')?.applies).toBe(false);
    expect(answer.get('eu-rohs')?.applies).toBe(true);
  });

  it('RoHS Art. 7(b): electrical and electronic equipment uses Module A only', () => {
    const r = regime({}, 'eu-rohs');
    expect(r.applies).toBe(true);
    expect(routeIds(r)).toEqual(['A']);
    expect(r.notifiedBodyRequired).toBe(false);
    expect(r.routes[0].reasons[0].citation).toBe('Directive 2011/65/EU Art. 7(b)');
  });

  it('RoHS Art. 3(1): equipment rated above 1 000 V AC or 1 500 V DC is not EEE', () => {
    for (const overrides of [
      { supplyVoltageAC: 3300 },
      { supplyVoltageAC: 0, supplyVoltageDC: 1800 },
    ] as AttributeValues[]) {
      for (const id of ['eu-rohs', 'gb-rohs']) {
        const r = regime(overrides, id);
        expect(r.applies).toBe(false);
        expect(decidingReason(r)).toMatchObject({ condition: 'within-voltage-rating', held: false });
      }
    }
    expect(decidingReason(regime({ supplyVoltageAC: 3300 }, 'eu-rohs')).citation).toBe(
      'Directive 2011/65/EU Art. 3(1)',
    );
    expect(regime({ supplyVoltageAC: 1000 }, 'eu-rohs').applies).toBe(true);
    expect(regime({ supplyVoltageAC: 0, supplyVoltageDC: 1500 }, 'eu-rohs').applies).toBe(true);
  });

  it('EMC Art. 18(2): the residential restriction is shown whenever industrial standards alone may have been applied', () => {
    const note = (o: AttributeValues) =>
      regime(o, 'eu-emc').notes.find((n) => n.condition === 'residential-restriction');
    expect(note({ intendedUsers: 'professional' })?.citation).toBe('Directive 2014/30/EU Art. 18(2)');
    expect(note({ intendedUsers: 'industrial-only' })).toBeDefined();
    expect(note({ intendedUsers: 'consumer' })).toBeUndefined();
  });

  it('RoHS Art. 2(1), 3(1): a machine without electric supply or electronics is not EEE', () => {
    const r = regime({ supplyVoltageAC: 0, digitalCircuitry: false }, 'eu-rohs');
    expect(r.applies).toBe(false);
    expect(decidingReason(r).citation).toMatch(/2011\/65\/EU Art\. 2\(1\), 3\(1\)/);
  });
});

describe('US: FCC Part 15 and OSHA NRTL', () => {
  it('47 CFR 15.101(a): a digital device may use SDoC or certification, so no TCB is required', () => {
    const r = regime({ intendedUsers: 'consumer' }, 'us-fcc-15b');
    expect(r.applies).toBe(true);
    expect(routeIds(r)).toEqual(['sdoc', 'certification']);
    expect(r.notifiedBodyRequired).toBe(false);
    expect(r.routes.map((x) => x.workflow)).toEqual(['us-fcc-sdoc', 'us-fcc-certification']);
    expect(r.notes.map((n) => n.condition)).toEqual(['class-b', 'records-retention']);
    expect(r.notes[1]).toMatchObject({ confidence: 'L', citation: expect.stringMatching(/^47 CFR 2\.938/) });
    expect(r.notes[1].text).toMatch(/for 2 years after manufacture is permanently discontinued \(1 year/);
  });

  it('47 CFR 15.3(h), (i): a professional machine sold to anyone is marketed to the general public, so Class B', () => {
    expect(regime({}, 'us-fcc-15b').notes.map((n) => n.condition)).toContain('class-b');
    const businessOnly = regime({ madeAvailableToConsumers: false }, 'us-fcc-15b');
    expect(businessOnly.notes.map((n) => n.condition)).toEqual(['class-a', 'records-retention']);
  });

  it('47 CFR 15.103(b), OET-62: industrial-only use alone does not exempt a device that does more than control', () => {
    const r = regime({ intendedUsers: 'industrial-only', madeAvailableToConsumers: false }, 'us-fcc-15b');
    expect(r.applies).toBe(true);
    expect(r.reasons.find((x) => x.condition === 'not-exempt')?.citation).toBe(
      '47 CFR 15.103(b); FCC OET Bulletin 62',
    );
    const sold = regime(
      { intendedUsers: 'industrial-only', fcc15103bControlOnly: true, madeAvailableToConsumers: true },
      'us-fcc-15b',
    );
    expect(sold.applies).toBe(true); // supplied to consumers: not used exclusively in industrial plants
  });

  it('47 CFR 15.103(b): a digital device used exclusively in industrial plants is exempt', () => {
    const r = regime(
      { intendedUsers: 'industrial-only', fcc15103bControlOnly: true, madeAvailableToConsumers: false },
      'us-fcc-15b',
    );
    expect(r.applies).toBe(false);
    expect(decidingReason(r)).toMatchObject({
      condition: 'not-exempt',
      held: false,
      citation: '47 CFR 15.103(b); FCC OET Bulletin 62',
    });
    expect(decidingReason(r).text).toMatch(/§15\.5/);
  });

  it('47 CFR 15.3(k): without digital circuitry Subpart B does not apply', () => {
    expect(regime({ digitalCircuitry: false }, 'us-fcc-15b').applies).toBe(false);
  });

  it('47 CFR 15.201(b): an integrated transmitter without a certified module needs certification by a TCB', () => {
    const r = regime({ radio: 'integrated', radioModuleCertified: false }, 'us-fcc-radio');
    expect(routeIds(r)).toEqual(['certification']);
    expect(r.notifiedBodyRequired).toBe(true);
    expect(r.routesNotAllowed[0].reasons[1]).toMatchObject({ held: false, citation: '47 CFR 15.212(a)' });
  });

  it('47 CFR 15.212: a certified modular transmitter lets the host skip a TCB', () => {
    const r = regime({ radio: 'integrated', radioModuleCertified: true }, 'us-fcc-radio');
    expect(routeIds(r)).toEqual(['certification', 'modular']);
    expect(r.notifiedBodyRequired).toBe(false);
    expect(r.routes.find((x) => x.id === 'modular')).toMatchObject({
      notifiedBody: false,
      workflow: 'us-fcc-modular-host',
    });
  });

  it('47 CFR 15.212, 15.107, 15.109, 2.1077: the modular host tests its own digital circuitry and declares it', () => {
    const needs = requiredEvidence(
      content.regimes.get('us-fcc-radio')!,
      'modular',
      attributesOf({ radio: 'integrated', radioModuleCertified: true }),
      params,
    );
    expect(needs.testing).toEqual(
      expect.arrayContaining(['radio-module-integration-report', 'emc-test-report']),
    );
    expect(needs.declaration).toEqual(['fcc-compliance-information']);
  });

  it('47 CFR 15.21, 15.105, 2.1074: the user is warned about unapproved changes; the SDoC label identifies the device', () => {
    const evidence = content.regimes.get('us-fcc-15b')!.evidence;
    expect(evidence.find((e) => e.kind === 'instructions')?.citation).toMatch(/15\.105 .*15\.21 /);
    expect(evidence.find((e) => e.kind === 'us-marking-and-labels')?.citation).toMatch(/15\.19; 2\.1074 /);
  });

  it('29 CFR 1910.7, UL 94: the NRTL evaluates the flammability of polymeric enclosures and parts', () => {
    for (const route of ['listing', 'field-evaluation']) {
      const needs = requiredEvidence(content.regimes.get('us-nrtl')!, route, attributesOf({}), params);
      expect(needs.testing).toContain('flammability-test-report');
    }
  });

  it('47 CFR 15.3(o): a plug-in module with its own FCC ID does not make the host an intentional radiator', () => {
    const answer = assess({ radio: 'removable-module', radioModuleCertified: true });
    expect(answer.get('us-fcc-radio')?.applies).toBe(false);
    expect(answer.get('us-fcc-15b')?.applies).toBe(true);
  });

  it('29 CFR 1910.303(a), 1910.399: workplace electrical equipment needs an NRTL (listing or field evaluation)', () => {
    const r = regime({ intendedUsers: 'professional' }, 'us-nrtl');
    expect(r.applies).toBe(true);
    expect(routeIds(r)).toEqual(['listing', 'field-evaluation']);
    expect(r.notifiedBodyRequired).toBe(true);
    expect(r.reasons.map((x) => x.citation)).toContain(
      '29 CFR 1910.303(a); 1910.399 (approved, acceptable); 1910.7',
    );
  });

  it('29 CFR 1910.303(a): a consumer product that may be used at work (the default) is in scope', () => {
    const r = regime({ intendedUsers: 'consumer' }, 'us-nrtl');
    expect(r.applies).toBe(true);
    expect(r.reasons.at(-1)).toMatchObject({ condition: 'used-in-workplaces', held: true });
  });

  it("29 CFR 1910.303(a): consumer products are not subject to the employer's approval duty", () => {
    const r = regime({ intendedUsers: 'consumer', usedInWorkplaces: false }, 'us-nrtl');
    expect(r.applies).toBe(false);
    expect(decidingReason(r)).toMatchObject({ condition: 'used-in-workplaces', held: false });
    expect(r.notifiedBodyRequired).toBe(false);
  });

  it('29 CFR 1910.399: an electronic sub-assembly is evaluated as part of the end product', () => {
    const r = regime({ kind: 'electronic-subassembly', supplyVoltageAC: 0, supplyVoltageDC: 24 }, 'us-nrtl');
    expect(decidingReason(r)).toMatchObject({ condition: 'complete-equipment', held: false });
  });
});

describe('Great Britain', () => {
  it('SMSR 2008: GB machinery stays under the SMSR after 20 Jan 2027; CE under 2023/1230 is a parameter', () => {
    const r = regime({ placingOnMarket: AFTER }, 'gb-smsr');
    expect(r.applies).toBe(true);
    expect(routeIds(r)).toEqual(['annex-viii']);
    expect(r.routes[0].workflow).toBe('gb-smsr-annex-viii');
    const note = r.notes.find((n) => n.condition === 'ce-under-regulation-not-recognised');
    expect(note).toMatchObject({ confidence: 'L' });
    expect(note?.citation).toMatch(/parameter gbAcceptsCeUnderMachineryRegulation/);
    const accepted = regime({ placingOnMarket: AFTER }, 'gb-smsr', {
      params: { gbAcceptsCeUnderMachineryRegulation: true },
    });
    expect(accepted.notes.map((n) => n.condition)).toContain('ce-under-regulation-recognised');
  });

  it('SMSR 2008 reg. 10, Sch. 2 Part 4: an Annex IV saw without full designated standards needs an approved body', () => {
    const r = regime(
      { machineryAnnexI: 'B-1', harmonisedStandards: 'none', placingOnMarket: null },
      'gb-smsr',
    );
    expect(r.applies).toBe(true); // the GB act does not depend on the EU placing date
    expect(routeIds(r)).toEqual(['annex-ix', 'annex-x']);
    expect(r.notifiedBodyRequired).toBe(true);
    expect(r.routes.map((x) => x.workflow)).toEqual(['gb-smsr-annex-ix', 'gb-smsr-annex-x']);
  });

  it('SMSR 2008 reg. 8: partly completed machinery gets a UK declaration of incorporation on its own workflow', () => {
    const overrides = { kind: 'partly-completed-machinery', machineryAnnexI: 'B-1' };
    const r = regime(overrides, 'gb-smsr');
    expect(routeIds(r)).toEqual(['annex-viii']);
    expect(r.routes[0]).toMatchObject({ notifiedBody: false, workflow: 'gb-smsr-partly-completed' });
    expect(r.routes[0].reasons[1].citation).toMatch(/SI 2008\/1597 reg\. 8/);
    const evidence = requiredEvidence(
      content.regimes.get('gb-smsr')!,
      'annex-viii',
      attributesOf(overrides),
      params,
    );
    expect(evidence.declaration).toEqual(['uk-declaration-of-incorporation']);
    expect(evidence['instructions-and-marking']).toEqual(['assembly-instructions']);
    expect(regime({}, 'gb-smsr').routes[0].workflow).toBe('gb-smsr-annex-viii');
  });

  it('UKCA on an accompanying document: the easement end date is a low-confidence parameter', () => {
    const note = regime({}, 'gb-emc').notes.find((n) => n.condition === 'ukca-on-accompanying-document');
    expect(note).toMatchObject({ confidence: 'L' });
    expect(note?.text).toMatch(/^Until 2027-12-31 the UKCA marking may be placed on a label/);
    expect(regime({ placingOnMarket: '2028-02-01' }, 'gb-emc').notes.map((n) => n.condition)).not.toContain(
      'ukca-on-accompanying-document',
    );
  });

  it('EESR 2016 (mirror of LVD Art. 1): applies to 230 V electrical equipment, not to machinery', () => {
    expect(regime({ kind: 'electrical-equipment' }, 'gb-eesr')).toMatchObject({
      applies: true,
      notifiedBodyRequired: false,
    });
    expect(regime({}, 'gb-eesr').applies).toBe(false);
  });

  it('EMC Regulations 2016 and RoHS Regulations 2012: a mains mill is in scope with Module A available', () => {
    const answer = assess({}, { markets: ['GB'] });
    expect(routeIds(answer.get('gb-emc')!)).toEqual(['A', 'B+C']);
    expect(routeIds(answer.get('gb-rohs')!)).toEqual(['A']);
  });

  it('RER 2017 reg. 41: GB has no RED cybersecurity activation, so restricted EN 18031 keeps Module A', () => {
    const r = regime(
      {
        radio: 'integrated',
        radioStandards: 'full',
        internetConnected: true,
        cybersecurityStandards: 'restricted',
      },
      'gb-rer',
    );
    expect(routeIds(r)).toEqual(['A', 'B+C', 'H']);
    expect(r.notes.map((n) => n.condition)).toContain('psti-covers-consumer-security');
  });

  it('PSTI Act 2022 s. 5, 54: a consumer internet-connected variant needs a statement of compliance', () => {
    const r = regime({ intendedUsers: 'consumer', internetConnected: true, radio: 'integrated' }, 'gb-psti');
    expect(r.applies).toBe(true);
    expect(r.routes).toEqual([
      expect.objectContaining({ id: 'A', notifiedBody: false, workflow: 'gb-psti-statement' }),
    ]);
    expect(r.notifiedBodyRequired).toBe(false);
    const evidence = requiredEvidence(content.regimes.get('gb-psti')!, 'A', attributesOf({}), params);
    expect(evidence.declaration).toEqual(['psti-statement-of-compliance']);
  });

  it('PSTI Act 2022 s. 54: a product not made available to consumers is not a UK consumer connectable product', () => {
    expect(
      decidingReason(
        regime(
          { intendedUsers: 'professional', madeAvailableToConsumers: false, internetConnected: true },
          'gb-psti',
        ),
      ),
    ).toMatchObject({
      condition: 'consumer-product',
      held: false,
      citation: expect.stringMatching(/Infrastructure Act 2022 s\. 54 /),
    });
    // Designed for professionals but sold to anyone (the default): a consumer connectable product.
    expect(regime({ intendedUsers: 'professional', internetConnected: true }, 'gb-psti').applies).toBe(true);
  });

  it('PSTI Act 2022 s. 4, 5: a product that cannot connect is not a relevant connectable product', () => {
    expect(
      decidingReason(regime({ intendedUsers: 'consumer', internetConnected: false }, 'gb-psti')).condition,
    ).toBe('connectable');
  });
});

describe("each act's own documents: a certificate, declaration or marking of one act never satisfies another's", () => {
  const evidenceOf = (id: string, route: string, overrides: AttributeValues = {}) =>
    requiredEvidence(content.regimes.get(id)!, route, attributesOf(overrides), params);

  it.each([
    ['eu-md', 'annex-ix', 'ec-type-examination-certificate', 'Directive 2006/42/EC Annex IX'],
    ['eu-md', 'annex-x', 'ec-quality-system-approval', 'Directive 2006/42/EC Annex X'],
    ['eu-mr', 'B+C', 'type-examination-certificate', 'Regulation (EU) 2023/1230 Annex VII'],
    ['eu-mr', 'H', 'quality-system-approval', 'Regulation (EU) 2023/1230 Annex IX'],
    ['eu-mr', 'G', 'unit-verification-certificate', 'Regulation (EU) 2023/1230 Annex X'],
    ['eu-emc', 'B+C', 'emc-type-examination-certificate', 'Directive 2014/30/EU Annex III'],
    ['eu-red', 'B+C', 'radio-type-examination-certificate', 'Directive 2014/53/EU Annex III'],
    ['eu-red', 'H', 'radio-quality-system-approval', 'Directive 2014/53/EU Annex IV'],
    ['gb-smsr', 'annex-ix', 'uk-type-examination-certificate', 'SI 2008/1597 Sch. 2 Part 9'],
    ['gb-smsr', 'annex-x', 'uk-quality-system-approval', 'SI 2008/1597 Sch. 2 Part 10'],
    ['gb-emc', 'B+C', 'uk-emc-type-examination-certificate', 'SI 2016/1091'],
    ['gb-rer', 'B+C', 'uk-radio-type-examination-certificate', 'SI 2017/1206'],
    ['gb-rer', 'H', 'uk-radio-quality-system-approval', 'SI 2017/1206'],
  ])('%s route %s names its own body decision, %s (%s)', (id, route, kind, citation) => {
    expect(evidenceOf(id, route)['notified-body']).toEqual([kind]);
    const entry = content.regimes
      .get(id)!
      .routes.find((r) => r.id === route)!
      .evidence.find((e) => e.step === 'notified-body');
    expect(entry?.citation).toContain(citation);
  });

  it('no two regimes name the same notified-body kind', () => {
    const owners = new Map<string, string[]>();
    for (const regime of content.regimes.values()) {
      for (const route of regime.routes) {
        for (const e of route.evidence.filter((x) => x.step === 'notified-body')) {
          const list = owners.get(e.kind) ?? [];
          if (!list.includes(regime.id)) owners.set(e.kind, [...list, regime.id]);
        }
      }
    }
    // fcc-grant serves both FCC regimes: one grant under one FCC ID covers the device.
    expect([...owners].filter(([kind, regimes]) => regimes.length > 1 && kind !== 'fcc-grant')).toEqual([]);
  });

  it('GB regimes ask for the UK declaration and UKCA marking, EU regimes for the EU ones, US regimes for US labels', () => {
    const mill = { placingOnMarket: AFTER };
    expect(evidenceOf('gb-smsr', 'annex-viii', mill)).toMatchObject({
      declaration: ['uk-declaration-of-conformity'],
      'instructions-and-marking': ['instructions', 'ukca-marking-and-labels'],
    });
    expect(evidenceOf('gb-emc', 'A').declaration).toEqual(['uk-declaration-of-conformity']);
    expect(evidenceOf('eu-mr', 'A', mill).declaration).toEqual(['declaration-of-conformity']);
    expect(evidenceOf('eu-emc', 'A')['instructions-and-marking']).toContain('marking-and-labels');
    expect(evidenceOf('us-fcc-15b', 'sdoc')['instructions-and-marking']).toContain('us-marking-and-labels');
    expect(evidenceOf('us-nrtl', 'listing')['instructions-and-marking']).toContain('us-marking-and-labels');
    for (const regime of content.regimes.values()) {
      const kinds = regime.evidence.map((e) => e.kind);
      if (regime.market === 'GB') {
        expect(kinds).not.toContain('declaration-of-conformity');
        expect(kinds).not.toContain('marking-and-labels');
      } else expect(kinds.filter((k) => k.startsWith('uk'))).toEqual([]);
    }
  });

  it('SMSR Sch. 2 Part 9 para 9.3: the UK type-examination certificate is reviewed every five years', () => {
    expect(content.regimes.get('gb-smsr')!.validity).toEqual([
      expect.objectContaining({ kind: 'uk-type-examination-certificate', years: 5 }),
    ]);
  });
});

describe('attributes whose defaults are the cautious reading', () => {
  it('47 CFR 15.3(k): a product that declares nothing about its electronics is taken to have a digital device', () => {
    const declaredNothing = effectiveAttributes(content.attributes, {
      kind: 'machinery',
      supplyVoltageAC: 230,
      placingOnMarket: AFTER,
    });
    expect(declaredNothing.digitalCircuitry).toBe(true);
    const answer = new Map(
      assessApplicability(content.regimes.values(), declaredNothing, params).map((r) => [r.regime, r]),
    );
    expect(answer.get('us-fcc-15b')?.applies).toBe(true);
    expect(answer.get('eu-emc')?.applies).toBe(true);
  });

  it('Reg. 2019/1020 Art. 4: a manufacturer not recorded as EU-established needs an EU economic operator', () => {
    for (const [id, route] of [
      ['eu-mr', 'A'],
      ['eu-emc', 'A'],
      ['eu-rohs', 'A'],
      ['eu-red', 'B+C'],
    ] as const) {
      const overrides = { placingOnMarket: AFTER, radio: id === 'eu-red' ? 'integrated' : 'none' };
      const needs = requiredEvidence(content.regimes.get(id)!, route, attributesOf(overrides), params);
      expect(needs['instructions-and-marking']).toContain('eu-economic-operator-designation');
      const established = requiredEvidence(
        content.regimes.get(id)!,
        route,
        attributesOf({ ...overrides, manufacturerEstablishedInEU: true }),
        params,
      );
      expect(established['instructions-and-marking']).not.toContain('eu-economic-operator-designation');
    }
    const entry = content.regimes
      .get('eu-lvd')!
      .evidence.find((e) => e.kind === 'eu-economic-operator-designation');
    expect(entry?.citation).toMatch(/^Regulation \(EU\) 2019\/1020 Art\. 4\(1\), 4\(4\), 4\(5\)/);
  });

  it('Reg. 2023/1230 Art. 10(7): machinery that may reach non-professional users gets paper safety information', () => {
    const notes = (o: AttributeValues) => regime({ placingOnMarket: AFTER, ...o }, 'eu-mr').notes;
    expect(notes({}).map((n) => n.condition)).toContain('paper-safety-information');
    expect(notes({ madeAvailableToConsumers: false }).map((n) => n.condition)).not.toContain(
      'paper-safety-information',
    );
  });
});

describe('machine types where the reading of the law depends on them', () => {
  const PRINTER = { machineType: '3d-printer', supplyVoltageAC: 230, motorPowerW: 60 } as const;

  it('Dir. 2006/42/EC Art. 1(2)(k): a 3D printer stays under the Directive by default, with the dispute shown (L)', () => {
    const answer = assess(PRINTER);
    expect(answer.get('eu-md')?.applies).toBe(true);
    expect(answer.get('eu-lvd')?.applies).toBe(false);
    const note = answer.get('eu-md')!.notes.find((n) => n.condition === 'additive-printer-scope-disputed');
    expect(note).toMatchObject({ confidence: 'L' });
    expect(note?.citation).toMatch(/parameter md3dPrintersAreOfficeMachinery/);
  });

  it('Dir. 2006/42/EC Art. 1(2)(k): read as office machinery (parameter), the LVD applies before 20 Jan 2027', () => {
    const options = { params: { md3dPrintersAreOfficeMachinery: true } };
    const before = assess(PRINTER, options);
    expect(before.get('eu-md')).toMatchObject({ applies: false, status: 'not-applicable' });
    expect(decidingReason(before.get('eu-md')!).condition).toBe('not-office-machinery');
    expect(before.get('eu-lvd')?.applies).toBe(true);
    const after = assess({ ...PRINTER, placingOnMarket: AFTER }, options);
    expect(after.get('eu-mr')?.applies).toBe(true);
    expect(after.get('eu-lvd')?.applies).toBe(false);
    expect(after.get('eu-mr')!.notes.map((n) => n.condition)).toContain('additive-printing-in-scope');
    // A CNC mill is never office machinery, whatever the parameter says.
    expect(assess({}, options).get('eu-md')?.applies).toBe(true);
  });

  it('Reg. 2023/1230 Annex I Part B item 1: a wood circular saw outside category B-1 is flagged (H)', () => {
    const saw = { machineType: 'wood-circular-saw', placingOnMarket: AFTER } as const;
    const notes = regime(saw, 'eu-mr').notes.map((n) => n.condition);
    expect(notes).toContain('wood-circular-saw-category');
    expect(regime({ ...saw, machineryAnnexI: 'B-1' }, 'eu-mr').notes.map((n) => n.condition)).not.toContain(
      'wood-circular-saw-category',
    );
  });
});

describe('variants of an approved type (rules/impact.yaml)', () => {
  const SAW = { machineryAnnexI: 'B-1', placingOnMarket: AFTER } as const;
  const lost = (attribute: string, base: unknown, value: unknown) =>
    invalidatedEvidence(
      [{ attribute, base, value } as Parameters<typeof invalidatedEvidence>[0][number]],
      content.impactRules,
      params,
    );

  it('MR Annex VII 7, MD Annex IX 6: a Part B saw variant with another motor does not reuse the base certificate', () => {
    expect(routeIds(regime(SAW, 'eu-mr'))).toEqual(['B+C', 'H', 'G']);
    const motor = lost('motorPowerW', 1200, 1800);
    expect(motor.get('type-examination-certificate')).toEqual(['motorPowerW']);
    expect(motor.get('ec-type-examination-certificate')).toEqual(['motorPowerW']);
    expect(lost('supplyVoltageAC', 230, 400).get('uk-type-examination-certificate')).toEqual([
      'supplyVoltageAC',
    ]);
    const rule = content.impactRules.find((r) => r.id === 'modification-of-approved-type');
    expect(rule?.citation).toMatch(
      /Directive 2006\/42\/EC Annex IX 6; Regulation \(EU\) 2023\/1230 Annex VII 7/,
    );
  });

  it('MR Annex X, 29 CFR 1910.399: a unit verification certificate or NRTL field label never passes to a variant', () => {
    const change = lost('enclosureMaterial', 'steel', 'aluminium');
    expect(change.get('unit-verification-certificate')).toEqual(['enclosureMaterial']);
    expect(change.get('nrtl-field-label')).toEqual(['enclosureMaterial']);
  });
});

describe('evidence entries cite the point of the act that asks for the document', () => {
  const citationOf = (id: string, step: string, kind: string, route?: string) => {
    const regime = content.regimes.get(id)!;
    const entries = route ? regime.routes.find((r) => r.id === route)!.evidence : regime.evidence;
    return entries.find((e) => e.step === step && e.kind === kind)?.citation;
  };

  it('RED Annex V: (b), (c) drawings and their descriptions, (d) the standards applied', () => {
    expect(citationOf('eu-red', 'standards', 'standards-list')).toBe('Directive 2014/53/EU Annex V (d)');
    expect(citationOf('eu-red', 'technical-file', 'technical-drawings')).toBe(
      'Directive 2014/53/EU Annex V (b), (c)',
    );
    expect(citationOf('gb-rer', 'standards', 'standards-list')).toMatch(/Annex V \(d\)\)$/);
  });

  it('EMC Annex II 3: (b), (c) drawings and their descriptions, (d) the standards applied', () => {
    expect(citationOf('eu-emc', 'standards', 'standards-list')).toBe('Directive 2014/30/EU Annex II 3(d)');
    expect(citationOf('eu-emc', 'technical-file', 'technical-drawings')).toBe(
      'Directive 2014/30/EU Annex II 3(b), (c)',
    );
  });

  it('RoHS Art. 7(c), (g), (h), 14, 15: CE marking, type and serial number, manufacturer name and address', () => {
    expect(citationOf('eu-rohs', 'instructions-and-marking', 'marking-and-labels')).toBe(
      'Directive 2011/65/EU Art. 7(c), (g), (h), 14, 15',
    );
  });

  it('MD Annex IX 4: the notified body issues the EC type-examination certificate', () => {
    expect(citationOf('eu-md', 'notified-body', 'ec-type-examination-certificate', 'annex-ix')).toBe(
      'Directive 2006/42/EC Annex IX 4',
    );
  });

  it('MR Annex IV Part A (n): the ML description is asked for sensor-fed, remotely driven or autonomous machinery', () => {
    expect(citationOf('eu-mr', 'risk-assessment', 'ml-safety-function-assessment')).toMatch(
      /Annex III 1\.2\.1; Annex IV Part A \(n\) where the machinery is sensor-fed/,
    );
  });

  it('Delegated Reg. 2022/30 Art. 3: the application date of the RED cybersecurity requirements', () => {
    expect(content.parameters.get('redCybersecurityApplicationDate')?.source).toMatch(/2022\/30 Art\. 3,/);
  });
});

describe('every answer', () => {
  const VARIANTS: AttributeValues[] = [
    {},
    { placingOnMarket: AFTER, machineryAnnexI: 'B-1', harmonisedStandards: 'full' },
    { placingOnMarket: null, radio: 'integrated', internetConnected: true, intendedUsers: 'consumer' },
    { kind: 'electrical-equipment', radio: 'removable-module', supplyVoltageAC: 120 },
    {
      kind: 'electronic-subassembly',
      supplyVoltageAC: 0,
      supplyVoltageDC: 24,
      intendedUsers: 'industrial-only',
    },
    { kind: 'partly-completed-machinery', mlSafetyFunction: 'self-evolving', placingOnMarket: AFTER },
  ];

  it('lists every regime of design §3.2 once, in each market asked for', () => {
    const all = assessApplicability(content.regimes.values(), attributesOf({}), params);
    expect(all.map((r) => r.regime)).toEqual([
      'eu-md',
      'eu-mr',
      'eu-lvd',
      'eu-emc',
      'eu-red',
      'eu-rohs',
      'gb-smsr',
      'gb-eesr',
      'gb-emc',
      'gb-rer',
      'gb-rohs',
      'gb-psti',
      'us-fcc-15b',
      'us-fcc-radio',
      'us-nrtl',
    ]);
    const us = assessApplicability(content.regimes.values(), attributesOf({}), params, ['US']);
    expect(us.map((r) => r.market)).toEqual(['US', 'US', 'US']);
  });

  it('carries reasons with a citation for the decision and for every allowed route (design §4)', () => {
    for (const overrides of VARIANTS) {
      for (const r of assess(overrides).values()) {
        expect(r.reasons.length).toBeGreaterThan(0);
        for (const reason of [...r.reasons, ...r.notes, ...r.routes.flatMap((x) => x.reasons)]) {
          expect(reason.citation).toMatch(/\S/);
          expect(reason.text).toMatch(/\S/);
          expect(reason.text).not.toMatch(/\{params\./);
        }
        if (r.applies) expect(r.routes.length).toBeGreaterThan(0);
        else expect(r.routes).toEqual([]);
        expect(r.notifiedBodyRequired).toBe(r.applies && r.routes.every((x) => x.notifiedBody));
      }
    }
  });

  it('is the same through the fast path (folded, memoised by attribute classes) as through the general one', () => {
    const date = fc.oneof(
      fc.constantFrom(null, '2025-08-01', '2027-01-19', '2027-01-20', '2027-12-11'),
      fc
        .date({
          min: new Date('2020-01-01T00:00:00Z'),
          max: new Date('2032-12-31T00:00:00Z'),
          noInvalidDate: true,
        })
        .map((d) => d.toISOString().slice(0, 10)),
    );
    const volts = fc.oneof(
      fc.constantFrom(0, 49, 50, 74, 75, 1000, 1001, 1500, 1501),
      fc.integer({ min: 0, max: 2000 }),
      fc.double({ min: 0, max: 2000, noNaN: true }),
    );
    const values = (name: string) => content.attributes.get(name)?.values ?? [];
    const variant = fc.record({
      kind: fc.constantFrom(...values('kind')),
      machineryAnnexI: fc.constantFrom(null, ...values('machineryAnnexI')),
      harmonisedStandards: fc.constantFrom(...values('harmonisedStandards')),
      supplyVoltageAC: volts,
      supplyVoltageDC: volts,
      radio: fc.constantFrom(...values('radio')),
      radioModuleCertified: fc.boolean(),
      internetConnected: fc.boolean(),
      cybersecurityStandards: fc.constantFrom(...values('cybersecurityStandards')),
      digitalCircuitry: fc.boolean(),
      intendedUsers: fc.constantFrom(...values('intendedUsers')),
      mlSafetyFunction: fc.constantFrom(...values('mlSafetyFunction')),
      placingOnMarket: date,
      motorPowerW: fc.integer({ min: 0, max: 5000 }),
      radioStandards: fc.constantFrom(...values('radioStandards')),
      madeAvailableToConsumers: fc.boolean(),
      usedInWorkplaces: fc.boolean(),
      fcc15103bControlOnly: fc.boolean(),
      manufacturerEstablishedInEU: fc.boolean(),
      machineType: fc.constantFrom(...values('machineType')),
    });
    fc.assert(
      fc.property(variant, (overrides) => {
        const attributes = effectiveAttributes(content.attributes, overrides);
        const fast = assessApplicability(content.regimes.values(), attributes, params);
        const general = assessApplicability(content.regimes.values(), attributes, { ...params });
        expect(fast).toEqual(general);
      }),
      { numRuns: 3000 },
    );
  });
});
