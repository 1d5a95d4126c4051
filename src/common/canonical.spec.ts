import { describe, expect, it } from '@jest/globals';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { canonicalJson } from './canonical.js';

describe('canonical JSON (RFC 8785)', () => {
  it('serialises the example of RFC 8785 §3.2.2 exactly', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",' +
        ' "literals": [null, true, false]}',
    );
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts members by UTF-16 code units (RFC 8785 §3.2.3)', () => {
    const input = {
      '\u20ac': 'Euro',
      '\r': 'CR',
      '\ufb33': 'Hebrew',
      '1': 'One',
      '\ud83d\ude00': 'Smiley',
      '\u0080': 'Control',
      '\u00f6': 'Latin',
    };
    expect(canonicalJson(input)).toBe(
      '{"\\r":"CR","1":"One","\u0080":"Control","\u00f6":"Latin","\u20ac":"Euro","\ud83d\ude00":"Smiley","\ufb33":"Hebrew"}',
    );
  });

  it('refuses what JSON cannot hold, and leaves out undefined members as JSON does', () => {
    expect(() => canonicalJson({ a: NaN })).toThrow();
    expect(() => canonicalJson([Infinity])).toThrow();
    expect(() => canonicalJson('\ud800')).toThrow(/lone surrogate/);
    expect(() => canonicalJson({ ['\udc00']: 1 })).toThrow(/lone surrogate/);
    expect(() => canonicalJson(10n)).toThrow();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => canonicalJson(circular)).toThrow(/too deeply/);
    expect(canonicalJson({ b: undefined, a: [undefined, -0] })).toBe('{"a":[null,0]}');
    expect(canonicalJson({ at: new Date('2026-11-26T08:00:00.000Z') })).toBe(
      '{"at":"2026-11-26T08:00:00.000Z"}',
    );
  });

  it('agrees with the canonicalize package on any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue({ stringUnit: 'binary' }), (ascii, unicode) => {
        expect(canonicalJson(ascii)).toBe(canonicalize(ascii));
        expect(canonicalJson(unicode)).toBe(canonicalize(unicode));
      }),
      { numRuns: 2000 },
    );
    // Objects with many members are sorted another way than small ones.
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ unit: 'binary' }), fc.integer(), { minKeys: 17, maxKeys: 60 }),
        (members) => {
          expect(canonicalJson(members)).toBe(canonicalize(members));
        },
      ),
      { numRuns: 500 },
    );
  });
});
