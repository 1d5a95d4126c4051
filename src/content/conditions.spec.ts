import { celEnv, CelScalar, isCelError, parse, plan } from '@bufbuild/cel';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { AttributeDefinition } from './attributes.js';
import {
  attributeVariable,
  ConditionCompiler,
  sampleVariables,
  toSlots,
  type ConditionScope,
  type ParameterValues,
  type Predicate,
  type Variables,
} from './conditions.js';

const ATTRIBUTES: AttributeDefinition[] = [
  {
    name: 'kind',
    type: 'enum',
    values: ['machinery', 'partly-completed-machinery', 'electrical-equipment'],
    nullable: false,
    default: 'machinery',
    meaning: '',
  },
  {
    name: 'machineryAnnexI',
    type: 'enum',
    values: ['A-1', 'A-6', 'B-1', 'B-9'],
    nullable: true,
    default: null,
    meaning: '',
  },
  { name: 'supplyVoltageAC', type: 'number', nullable: false, min: 0, default: 0, meaning: '' },
  { name: 'digitalCircuitry', type: 'boolean', nullable: false, default: false, meaning: '' },
  { name: 'placingOnMarket', type: 'date', nullable: true, default: null, meaning: '' },
  { name: 'enclosureMaterial', type: 'string', nullable: false, default: 'steel', meaning: '' },
];

const PARAMS: ParameterValues = { flag: true, applicationDate: '2027-01-20', categories: ['B-1'] };

function scope(): ConditionScope {
  return {
    variables: new Map(ATTRIBUTES.map((def) => [def.name, attributeVariable(def)])),
    parameters: new Map([
      ['flag', { type: { base: 'bool', nullable: false }, value: true }],
      ['applicationDate', { type: { base: 'string', nullable: false, date: true }, value: '2027-01-20' }],
      ['categories', { type: { base: 'list', nullable: false }, value: ['B-1'] }],
    ]),
    parameterValues: PARAMS,
  };
}

/** Compiles one expression; returns the predicate and every problem reported. */
function compile(source: string): { predicate?: Predicate; problems: string[] } {
  const problems: string[] = [];
  const compiler = new ConditionCompiler(scope());
  const predicate = compiler.compile(source, { report: (m) => problems.push(m) })?.test;
  if (predicate) compiler.verify();
  return { predicate: problems.length === 0 ? predicate : undefined, problems };
}

describe('checking conditions at load', () => {
  it('names an unknown attribute and suggests the declared one', () => {
    expect(compile("supplyVoltageAc >= 50.0 && kind == 'machinery'").problems).toEqual([
      "unknown attribute 'supplyVoltageAc' (did you mean 'supplyVoltageAC'?) (at character 1)",
    ]);
  });

  it('names an unknown parameter', () => {
    expect(compile('params.flg').problems).toEqual([
      "unknown parameter 'flg' (did you mean 'flag'?) (at character 7)",
    ]);
  });

  it('rejects a value an enum attribute cannot have', () => {
    expect(compile("kind == 'machinary'").problems[0]).toMatch(
      /'machinary' is not a value of kind \(did you mean 'machinery'\?\); allowed: machinery, /,
    );
    expect(compile("kind in ['machinery', 'saw']").problems[0]).toMatch(/'saw' is not a value of kind/);
    expect(compile("machineryAnnexI.startsWith('C-')").problems[0]).toMatch(
      /no value of machineryAnnexI satisfies startsWith\('C-'\)/,
    );
  });

  it('rejects comparisons of different types and results that are not true or false', () => {
    expect(compile("supplyVoltageAC > '50'").problems[0]).toMatch(/compares a number with a string/);
    expect(compile('supplyVoltageAC').problems).toEqual(['must be true or false, but it is a number']);
    expect(compile("placingOnMarket < '2027-1-20'").problems[0]).toMatch(/not a date YYYY-MM-DD/);
    expect(compile("kind < 'z'").problems[0]).toMatch(/compare the names alphabetically/);
  });

  it('rejects syntax errors and constructs outside the supported subset', () => {
    expect(compile('kind == ').problems[0]).toMatch(/^not a valid CEL expression: /);
    expect(compile("matches(kind, 'm.*')").problems[0]).toMatch(
      /function 'matches' is outside the supported CEL subset/,
    );
    expect(compile("[kind].exists(k, k == 'machinery')").problems[0]).toMatch(
      /outside the supported CEL subset/,
    );
    expect(compile('has(params.flag)').problems[0]).toMatch(/has\(\) is outside/);
    expect(compile('kind.size > 1').problems[0]).toMatch(/only parameters have fields/);
  });

  it('reports a condition that fails to evaluate for some attribute values, naming them', () => {
    const { problems } = compile("machineryAnnexI.startsWith('B-')");
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^cannot be evaluated when machineryAnnexI=null: .*guard it/);
    expect(compile("machineryAnnexI != null && machineryAnnexI.startsWith('B-')").problems).toEqual([]);
    expect(compile('placingOnMarket >= params.applicationDate').problems[0]).toMatch(
      /when placingOnMarket=null/,
    );
  });
});

describe('compiled conditions', () => {
  it('evaluate like CEL, reading parameters under params and defaults for missing attributes', () => {
    const { predicate } = compile(
      "kind == 'machinery' && placingOnMarket != null && placingOnMarket >= params.applicationDate" +
        ' && !(machineryAnnexI in params.categories) && supplyVoltageAC >= 50',
    );
    const base = {
      kind: 'machinery',
      placingOnMarket: '2027-01-20',
      machineryAnnexI: null,
      supplyVoltageAC: 50,
    };
    expect(predicate?.(base, PARAMS)).toBe(true);
    expect(predicate?.({ ...base, placingOnMarket: '2027-01-19' }, PARAMS)).toBe(false);
    expect(predicate?.({ ...base, machineryAnnexI: 'B-1' }, PARAMS)).toBe(false);
    expect(predicate?.({ ...base, machineryAnnexI: 'B-1' }, { ...PARAMS, categories: [] })).toBe(true);
    expect(predicate?.({ placingOnMarket: '2030-01-01', supplyVoltageAC: 230 }, PARAMS)).toBe(true);
  });

  // Random expressions over the supported subset, including ones that error for some values:
  // the closures must agree with @bufbuild/cel on the value, and throw exactly where CEL errs.
  const atoms = fc.constantFrom(
    "kind == 'machinery'",
    "kind != 'electrical-equipment'",
    "kind in ['machinery', 'partly-completed-machinery']",
    'supplyVoltageAC >= 50',
    'supplyVoltageAC < 1000.5',
    '-supplyVoltageAC < 0',
    'digitalCircuitry',
    'params.flag',
    'machineryAnnexI == null',
    "machineryAnnexI.startsWith('B-')",
    "machineryAnnexI != null && machineryAnnexI.endsWith('1')",
    'machineryAnnexI in params.categories',
    "placingOnMarket < '2027-01-20'",
    'placingOnMarket >= params.applicationDate',
    "enclosureMaterial.contains('ee')",
    'size(enclosureMaterial) > 3',
    'enclosureMaterial.size() == 5',
    'size(params.categories) == 1',
    'true',
    'false',
  );
  const expressions = fc.letrec((tie) => ({
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      atoms,
      fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `(${a} && ${b})`),
      fc.tuple(tie('expr'), tie('expr')).map(([a, b]) => `(${a} || ${b})`),
      tie('expr').map((a) => `!(${a})`),
      fc.tuple(tie('expr'), tie('expr'), tie('expr')).map(([c, a, b]) => `(${c} ? ${a} : ${b})`),
    ),
  })).expr as fc.Arbitrary<string>;

  const declarations: Record<string, typeof CelScalar.DYN> = { params: CelScalar.DYN };
  for (const def of ATTRIBUTES) declarations[def.name] = CelScalar.DYN;
  const env = celEnv({ variables: declarations });
  const samples = sampleVariables(scope().variables, 60);

  it('agree with @bufbuild/cel on random expressions and attribute values', () => {
    const compiler = new ConditionCompiler(scope());
    fc.assert(
      fc.property(expressions, fc.constantFrom(...samples), (source: string, sample: Variables) => {
        const compiled = compiler.compile(source, {
          report: (m) => {
            throw new Error(`${source}: ${m}`);
          },
        });
        const expected = plan(env, parse(source))({ ...sample, params: PARAMS } as never);
        if (!compiled) throw new Error(`${source} did not compile`);
        const slots = toSlots(compiled.layout, sample);
        // Every form: over named values with the load-time parameters (folded) and with a copy
        // (general), and over slots.
        const forms = [
          () => compiled.test(sample, PARAMS),
          () => compiled.test(sample, { ...PARAMS }),
          () => compiled.folded(slots),
          () => compiled.general(slots, PARAMS),
        ];
        for (const form of forms) {
          let actual: unknown;
          try {
            actual = form();
          } catch (error) {
            actual = error;
          }
          if (isCelError(expected)) expect(actual).toBeInstanceOf(Error);
          else expect(actual).toBe(expected);
        }
      }),
      { numRuns: 1500 },
    );
  });
});
