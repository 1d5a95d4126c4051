import { describe, expect, it } from '@jest/globals';
import { signatureFacts, signatureHash, type RecordedSignature } from './signatures.js';

const covered = [
  { id: 'b', kind: 'emc-test-report', sha256: 'b'.repeat(64) },
  { id: 'a', kind: 'risk-assessment', sha256: 'a'.repeat(64) },
];

describe('signatures', () => {
  it('hashes the same content the same way whatever the order of the evidence', () => {
    const input = {
      caseId: 'c',
      version: 3,
      snapshot: { value: 'declaration' },
      meaning: 'declaration of conformity',
    };
    const one = signatureHash({ ...input, covered });
    expect(one).toMatch(/^[0-9a-f]{64}$/);
    expect(signatureHash({ ...input, covered: [...covered].reverse() })).toBe(one);
    expect(signatureHash({ ...input, covered: covered.slice(1) })).not.toBe(one);
    expect(signatureHash({ ...input, version: 4, covered })).not.toBe(one);
  });

  it('keeps the latest signature per meaning and marks it stale when covered evidence changed', () => {
    const signatures: RecordedSignature[] = [
      { meaning: 'technical file approved', signedAt: '2026-11-01T10:00:00.000Z', covered },
      { meaning: 'declaration of conformity', signedAt: '2026-11-02T10:00:00.000Z', covered },
      {
        meaning: 'declaration of conformity',
        signedAt: '2026-11-03T10:00:00.000Z',
        covered: covered.slice(1),
      },
    ];
    const facts = signatureFacts(signatures, (id) =>
      id === 'b'
        ? { standing: 'superseded', label: 'emc-test-report “emc.pdf”' }
        : { standing: 'current', label: 'risk-assessment' },
    );
    expect(facts['declaration of conformity']).toEqual({ current: true });
    expect(facts['technical file approved']).toEqual({
      current: false,
      staleBecause: 'signed evidence changed: emc-test-report “emc.pdf” is now superseded',
    });
  });
});
