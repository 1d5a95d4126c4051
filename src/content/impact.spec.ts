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

  it('a motor power increase invalidates the risk assessment; a decrease only the ratings-bound evidence', () => {
    expect(invalidated(change('motorPowerW', 800, 1500)).get('risk-assessment')).toEqual(['motorPowerW']);
    const decrease = invalidated(change('motorPowerW', 800, 500));
    expect(decrease.has('risk-assessment')).toBe(false);
    expect(decrease.get('nrtl-listing')).toEqual(['motorPowerW']);
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
