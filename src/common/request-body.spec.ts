import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { AppError } from './app-error.js';
import { JSON_MAX_DEPTH, jsonBodyProblem, textProblem } from './request-body.js';

const nested = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));

describe('request body checks', () => {
  it('accept the bodies the API takes', () => {
    expect(jsonBodyProblem(undefined)).toBeUndefined();
    expect(
      jsonBodyProblem({
        key: 'mill-1500w',
        name: 'Fräse 1,5 kW 🛠',
        overrides: { motorPowerW: 1500, placingOnMarket: '2027-03-01', machineryAnnexI: null },
      }),
    ).toBeUndefined();
    expect(jsonBodyProblem(nested(JSON_MAX_DEPTH))).toBeUndefined();
  });

  it('refuse nesting deeper than the limit without overflowing the stack themselves', () => {
    const problem = jsonBodyProblem(nested(JSON_MAX_DEPTH + 1));
    expect(problem).toBeInstanceOf(AppError);
    expect(problem?.code).toBe('MALFORMED_REQUEST');
    expect(jsonBodyProblem(nested(200_000))?.code).toBe('MALFORMED_REQUEST');
  });

  it('refuse the member names class-transformer would silently drop, naming the field', () => {
    const proto = jsonBodyProblem(JSON.parse('{"overrides":{"__proto__":{"motorPowerW":1}}}'));
    expect(proto?.code).toBe('VALIDATION_FAILED');
    expect(proto?.extensions.errors).toEqual([
      { field: 'overrides.__proto__', message: "'__proto__' is not an allowed member name" },
    ]);
    expect(jsonBodyProblem({ overrides: { constructor: 1 } })?.code).toBe('VALIDATION_FAILED');
  });

  it('refuse NUL characters and unpaired surrogates in values and member names', () => {
    expect(textProblem('a\u0000b')).toMatch(/NUL/);
    expect(textProblem('\ud800')).toMatch(/surrogate/);
    expect(textProblem('x\udfff')).toMatch(/surrogate/);
    expect(textProblem('😀 \ud83d\ude00')).toBeUndefined();
    expect(jsonBodyProblem({ list: ['ok', 'not\u0000ok'] })?.extensions.errors).toEqual([
      { field: 'list[1]', message: 'must not contain NUL characters' },
    ]);
    expect(jsonBodyProblem({ ['\ud800']: 1 })?.code).toBe('VALIDATION_FAILED');
  });

  it('never throw, whatever JSON it is given', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 40 }), (value) => {
        const problem = jsonBodyProblem(value);
        expect(problem === undefined || problem instanceof AppError).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
