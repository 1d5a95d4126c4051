import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { readAttributes } from './attributes-loader.js';
import {
  attributeVariable,
  CelEvaluationError,
  ConditionCompiler,
  sampleVariables,
  type ConditionScope,
} from './conditions.js';
import { ProblemCollector } from './content-problem.js';
import { parameterDeclarations, parameterValues, readParameters } from './parameters.js';

/*
 * Random text where the rules expect a CEL condition: the compiler never throws, it reports. An
 * expression it accepts and whose check over sampled attribute values reports nothing then
 * evaluates to true or false for every sample, never throwing.
 */

const read = (name: string) => parseYaml(readFileSync(join(process.cwd(), name), 'utf8'));
const attributes = readAttributes(
  new ProblemCollector('rules/attributes.yaml'),
  read('rules/attributes.yaml'),
);
const parameters = readParameters(
  new ProblemCollector('rules/parameters.yaml'),
  read('rules/parameters.yaml'),
);
const scope: ConditionScope = {
  variables: new Map([...attributes.values()].map((def) => [def.name, attributeVariable(def)])),
  parameters: parameterDeclarations(parameters),
  parameterValues: parameterValues(parameters),
};
const samples = sampleVariables(scope.variables, 40);

/** Compiles and checks one expression; returns what was reported and the compiled form. */
function check(source: string) {
  const problems: string[] = [];
  const compiler = new ConditionCompiler(scope);
  const compiled = compiler.compile(source, { report: (m) => problems.push(m) });
  if (compiled) compiler.verify(samples);
  return { compiled, problems };
}

/** Pieces of real conditions, and pieces of broken ones, to glue together. */
const token = fc.oneof(
  fc.constantFrom(...[...attributes.keys()]),
  fc.constantFrom(...[...parameters.keys()].map((name) => `params.${name}`)),
  fc.constantFrom(
    'nope',
    'params',
    'params.nope',
    '==',
    '!=',
    '<',
    '<=',
    '>=',
    '&&',
    '||',
    '!',
    '-',
    '+',
    '*',
    '/',
    '%',
    '?',
    ':',
    'in',
    '(',
    ')',
    '[',
    ']',
    '{',
    '}',
    ',',
    '.',
    'null',
    'true',
    'false',
    '0',
    '-1',
    '1.5',
    '1e308',
    '18446744073709551616',
    '0x7fffffffffffffff',
    '1u',
    "'machinery'",
    "'2027-01-20'",
    '"B-1"',
    "b'x'",
    "'''x'''",
    "r'\\d'",
    "'\\u0000'",
    '.startsWith(',
    '.endsWith(',
    '.contains(',
    '.matches(',
    '.size()',
    'size(',
    'has(',
    'int(',
    'string(',
    'type(',
    'dyn(',
    '.all(x, ',
    '.exists(x, ',
    '.map(x, ',
    'timestamp(',
    'duration(',
  ),
);
const tokenSoup = fc.array(token, { minLength: 1, maxLength: 12 }).map((tokens) => tokens.join(' '));

/** Well-formed CEL that is often ill-typed: any operand with any operator, call or literal. */
const operand = fc.oneof(
  fc.constantFrom(...[...attributes.keys()]),
  fc.constantFrom(...[...parameters.keys()].map((name) => `params.${name}`)),
  fc.constantFrom(
    'null',
    'true',
    '0',
    '-1',
    '2.5',
    "'machinery'",
    "'2027-01-20'",
    "'B-1'",
    "['A-1', 'B-1']",
    '[]',
    "{'a': 1}",
    'nope',
  ),
);
const comparison = fc
  .tuple(operand, fc.constantFrom('==', '!=', '<', '<=', '>', '>=', 'in', '+', '-', '*', '/', '%'), operand)
  .map(([a, op, b]) => `${a} ${op} ${b}`);
const call = fc
  .tuple(operand, fc.constantFrom('startsWith', 'endsWith', 'contains', 'matches', 'size', 'exists'), operand)
  .map(([target, fn, arg]) => (fn === 'size' ? `size(${target})` : `${target}.${fn}(${arg})`));
const expression = fc.letrec((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small' },
    operand,
    comparison,
    call,
    fc.tuple(tie('expr'), fc.constantFrom('&&', '||'), tie('expr')).map(([a, op, b]) => `(${a} ${op} ${b})`),
    tie('expr').map((a) => `!(${a})`),
    fc.tuple(tie('expr'), tie('expr'), tie('expr')).map(([c, a, b]) => `(${c} ? ${a} : ${b})`),
  ),
})).expr as fc.Arbitrary<string>;

describe('CEL conditions on random text', () => {
  it('report, never throw, for arbitrary strings', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.string({ maxLength: 60 })),
        (source) => {
          check(source);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('report, never throw, for token soups and ill-typed expressions; what passes the check evaluates to a boolean on every sample', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof(tokenSoup, expression), (source) => {
        const { compiled, problems } = check(source);
        if (!compiled || problems.length > 0) return;
        accepted++;
        for (const sample of samples) {
          let result: unknown;
          try {
            result = compiled.test(sample, scope.parameterValues);
          } catch (error) {
            if (!(error instanceof CelEvaluationError)) throw error;
            throw new Error(`'${source}' passed the check but fails on ${JSON.stringify(sample)}`, {
              cause: error,
            });
          }
          expect(typeof result).toBe('boolean');
        }
      }),
      // Every attribute and parameter is a token, so each one the rules add dilutes the share of
      // well-typed expressions: enough runs keep the count below clear of the threshold.
      { numRuns: 1200 },
    );
    // The generator reaches past the parser and the type checker, not only into their errors.
    expect(accepted).toBeGreaterThan(20);
  });

  it('report, never throw, for deeply nested and very long expressions', () => {
    for (const source of [
      '('.repeat(5000) + 'true' + ')'.repeat(5000),
      '!'.repeat(10_000) + 'true',
      Array.from({ length: 3000 }, () => 'true').join(' && '),
      "kind == '" + 'x'.repeat(100_000) + "'",
      '['.repeat(3000) + ']'.repeat(3000),
    ]) {
      expect(() => check(source)).not.toThrow();
    }
  });
});
