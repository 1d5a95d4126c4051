import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { AttributeChange } from './attributes.js';
import type { ParameterValues } from './conditions.js';
import type { Content } from './content.js';
import { loadContent } from './content-loader.js';
import { impactFindings, invalidatedEvidence } from './impact.js';
import { parameterValues } from './parameters.js';

let content: Content;
let params: ParameterValues;

beforeAll(() => {
  content = loadContent(resolve(import.meta.dirname, '..', '..'));
  params = parameterValues(content.parameters);
});

const change = (
  attribute: string,
  base: AttributeChange['base'],
  value: AttributeChange['value'],
): AttributeChange => ({
  attribute,
  base,
  value,
});

const invalidated = (...changes: AttributeChange[]) =>
  invalidatedEvidence(changes, content.impactRules, params);

describe('evidence impact of a variant’s changes (reference §15)', () => {
  it('any real change needs the variant’s own declaration of conformity and marking', () => {
    const result = invalidated(change('enclosureMaterial', 'steel', 'aluminium'));
    expect(result.get('declaration-of-conformity')).toEqual(['enclosureMaterial']);
    expect(result.get('marking-and-labels')).toEqual(['enclosureMaterial']);
    // Each market's declaration and marking is its own kind, and each must identify the variant.
    for (const kind of ['uk-declaration-of-conformity', 'ukca-marking-and-labels', 'us-marking-and-labels']) {
      expect(result.get(kind)).toEqual(['enclosureMaterial']);
    }
  });

  it('an override equal to the base value changes nothing', () => {
    expect(invalidated(change('motorPowerW', 800, 800)).size).toBe(0);
  });

  it('adding an integrated radio invalidates EMC and electrical-safety evidence (RED Art. 3(1)(a), (b))', () => {
    const result = invalidated(change('radio', 'none', 'integrated'));
    expect(result.get('emc-test-report')).toEqual(['radio']);
    expect(result.get('electrical-safety-test-report')).toEqual(['radio']);
    expect(result.get('nrtl-listing')).toEqual(['radio']);
    expect(result.has('rohs-material-declaration')).toBe(false);
  });

  it('a removable radio module leaves the host’s test reports standing (Annex IV Part A (k))', () => {
    const result = invalidated(change('radio', 'none', 'removable-module'));
    expect(result.has('emc-test-report')).toBe(false);
    expect(result.get('incorporated-declarations')).toEqual(['radio']);
  });

  it('MR Art. 10(4), Annex III 1.3, 1.4, 1.5.1: any motor change redoes the risk assessment and the safety tests', () => {
    for (const power of [1500, 500]) {
      const result = invalidated(change('motorPowerW', 800, power));
      // Speed, inertia and braking are not recorded, so a weaker motor is not presumed safer.
      expect(result.get('risk-assessment')).toEqual(['motorPowerW']);
      expect(result.get('mechanical-safety-test-report')).toEqual(['motorPowerW']);
      // EN 60204-1 7.2, 7.3: the motor's overcurrent and overload protection.
      expect(result.get('electrical-safety-test-report')).toEqual(['motorPowerW']);
      expect(result.get('nrtl-listing')).toEqual(['motorPowerW']);
    }
  });

  it('MR Annex X, 29 CFR 1910.399: per-unit decisions never pass to a changed design (F3)', () => {
    for (const c of [change('motorPowerW', 800, 1500), change('intendedUsers', 'professional', 'consumer')]) {
      const result = invalidated(c);
      expect(result.get('unit-verification-certificate')).toEqual([c.attribute]);
      expect(result.get('nrtl-field-label')).toEqual([c.attribute]);
    }
  });

  it.each([
    ['supplyVoltageAC', 230, 120],
    ['supplyVoltageDC', 0, 24],
    ['motorPowerW', 800, 1500],
    ['enclosureMaterial', 'steel', 'polycarbonate'],
    ['digitalCircuitry', false, true],
    ['internetConnected', false, true],
  ] as const)(
    'MD Annex IX 6, MR Annex VII 7, Decision 768/2008 Module B 7: a change of %s is a modification of the approved type',
    (attribute, base, value) => {
      const result = invalidated(change(attribute, base, value));
      for (const kind of [
        'type-examination-certificate',
        'ec-type-examination-certificate',
        'radio-type-examination-certificate',
        'emc-type-examination-certificate',
        'uk-type-examination-certificate',
        'uk-radio-type-examination-certificate',
        'uk-emc-type-examination-certificate',
      ]) {
        expect(result.get(kind)).toEqual([attribute]);
      }
      // A quality system approval covers the manufacturer's system, not one type.
      expect(result.has('quality-system-approval')).toBe(false);
    },
  );

  it('LVD Annex I, EN 60204-1, 47 CFR 15.212, 2.1043: another enclosure material redoes shock protection and the radio evidence', () => {
    const result = invalidated(change('enclosureMaterial', 'polycarbonate', 'aluminium'));
    for (const kind of [
      'electrical-safety-test-report',
      'radio-test-report',
      'rf-exposure-assessment',
      'radio-module-integration-report',
      'fcc-grant',
    ]) {
      expect(result.get(kind)).toEqual(['enclosureMaterial']);
    }
    // Compared as written: a spelling difference is a change (the attribute's meaning says so).
    expect(invalidated(change('enclosureMaterial', 'steel', 'Steel')).has('flammability-test-report')).toBe(
      true,
    );
  });

  it('LVD Annex III 2, MR Annex IV Part A (b), 47 CFR 15.207: another supply voltage redoes the risk assessment, standards and FCC grant', () => {
    const result = invalidated(change('supplyVoltageAC', 230, 400));
    for (const kind of ['risk-assessment', 'standards-list', 'fcc-grant']) {
      expect(result.get(kind)).toEqual(['supplyVoltageAC']);
    }
    expect(result.has('mechanical-safety-test-report')).toBe(false);
  });

  it('RED Art. 3(3)(d)-(f), EN 18031: connecting to the internet changes the standards applied', () => {
    expect(invalidated(change('internetConnected', false, true)).get('standards-list')).toEqual([
      'internetConnected',
    ]);
  });

  it('names every changed attribute responsible for a kind, sorted', () => {
    const result = invalidated(
      change('supplyVoltageAC', 230, 120),
      change('enclosureMaterial', 'steel', 'PLA'),
    );
    expect(result.get('emc-test-report')).toEqual(['enclosureMaterial', 'supplyVoltageAC']);
    expect(result.get('rohs-material-declaration')).toEqual(['enclosureMaterial']);
  });

  it('a placing date that crosses 20 Jan 2027 invalidates Directive certificates unless the parameter says otherwise (MR Art. 52(2))', () => {
    const crossing = change('placingOnMarket', '2026-10-01', '2027-03-01');
    expect(invalidated(crossing).get('type-examination-certificate')).toEqual(['placingOnMarket']);
    expect(invalidated(crossing).get('ec-type-examination-certificate')).toEqual(['placingOnMarket']);
    expect(invalidated(crossing).get('ec-quality-system-approval')).toEqual(['placingOnMarket']);
    // Certificates under other acts do not depend on the machinery act in force.
    expect(invalidated(crossing).has('radio-type-examination-certificate')).toBe(false);
    const relaxed = invalidatedEvidence([crossing], content.impactRules, {
      ...params,
      mdCertificatesValidUnderRegulation: true,
    });
    expect(relaxed.has('type-examination-certificate')).toBe(false);
    const sameSide = invalidated(change('placingOnMarket', '2027-02-01', '2027-03-01'));
    expect(sameSide.has('type-examination-certificate')).toBe(false);
    expect(sameSide.has('standards-list')).toBe(false);
  });

  it("changing the extent of the radio standards invalidates the radio evidence and the RED's own certificates", () => {
    const result = invalidated(change('radioStandards', 'full', 'partial'));
    expect(result.get('radio-test-report')).toEqual(['radioStandards']);
    expect(result.get('radio-type-examination-certificate')).toEqual(['radioStandards']);
    expect(result.has('type-examination-certificate')).toBe(false);
  });

  it('tells which rule fired, with its citation and reason', () => {
    const findings = impactFindings(
      [change('mlSafetyFunction', 'none', 'self-evolving')],
      content.impactRules,
      params,
    );
    const rule = findings.find((f) => f.rule.id === 'ml-safety-function')?.rule;
    expect(rule?.citation).toMatch(/Annex I Part A items 5, 6/);
    expect(rule?.invalidates).toContain('type-examination-certificate');
  });
});
