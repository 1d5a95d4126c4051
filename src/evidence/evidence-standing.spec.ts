import { describe, expect, it } from '@jest/globals';
import {
  addDays,
  evidenceFacts,
  inherit,
  lastValidDay,
  standing,
  type EvidenceItem,
} from './evidence-standing.js';

const item = (over: Partial<EvidenceItem> = {}): EvidenceItem => ({
  id: 'e1',
  kind: 'emc-test-report',
  status: 'accepted',
  issuedAt: '2026-01-10',
  validUntil: null,
  supersededBy: null,
  ...over,
});
const noPeriod = (): undefined => undefined;

describe('evidence standing', () => {
  it('adds days across month and leap-year boundaries', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });

  it('takes the earlier of validUntil and the kind’s validity period', () => {
    expect(lastValidDay({ issuedAt: '2026-01-01', validUntil: null })).toBeNull();
    expect(lastValidDay({ issuedAt: '2026-01-01', validUntil: '2027-01-01' }, 30)).toBe('2026-01-31');
    expect(lastValidDay({ issuedAt: '2026-01-01', validUntil: '2026-01-15' }, 30)).toBe('2026-01-15');
  });

  it('is current while accepted and valid, including the last valid day', () => {
    expect(standing(item({ validUntil: '2026-11-26' }), '2026-11-26')).toBe('current');
    expect(standing(item({ validUntil: '2026-11-25' }), '2026-11-26')).toBe('expired');
    expect(standing(item({ issuedAt: '2020-01-01' }), '2026-11-26', 1826)).toBe('expired');
  });

  it('ranks superseded over rejected over expired over pending', () => {
    expect(standing(item({ supersededBy: 'e2', status: 'rejected' }), '2026-11-26')).toBe('superseded');
    expect(standing(item({ status: 'rejected', validUntil: '2020-01-01' }), '2026-11-26')).toBe('rejected');
    expect(standing(item({ status: 'pending', validUntil: '2020-01-01' }), '2026-11-26')).toBe('expired');
    expect(standing(item({ status: 'pending' }), '2026-11-26')).toBe('pending');
  });

  it('inherits current product items except the kinds the changes invalidate', () => {
    const items = [
      item({ id: 'a', kind: 'risk-assessment' }),
      item({ id: 'b', kind: 'emc-test-report' }),
      item({ id: 'c', kind: 'instructions', status: 'pending' }),
      item({ id: 'd', kind: 'bill-of-materials', supersededBy: 'x' }),
    ];
    const result = inherit(
      items,
      new Map([['emc-test-report', ['supplyVoltageAC']]]),
      '2026-11-26',
      noPeriod,
    );
    expect(result.inherited.map((i) => i.id)).toEqual(['a']);
    expect(result.invalidated).toEqual([{ evidence: items[1], attributes: ['supplyVoltageAC'] }]);
  });

  it('says when the newest satisfying item was accepted', () => {
    const facts = evidenceFacts(
      [
        item({ id: 'old', reviewedAt: '2026-01-01T10:00:00.000Z' }),
        item({ id: 'new', reviewedAt: '2026-11-01T10:00:00.000Z' }),
        item({ id: 'gone', reviewedAt: '2026-11-20T10:00:00.000Z', supersededBy: 'x' }),
      ],
      [],
      '2026-11-26',
      noPeriod,
    );
    expect(facts['emc-test-report']).toMatchObject({
      satisfiedBy: ['old', 'new'],
      latestAcceptedAt: '2026-11-01T10:00:00.000Z',
    });
  });

  it('explains per kind what satisfies it or why nothing does', () => {
    const facts = evidenceFacts(
      [
        item({ id: 'own-ok', kind: 'emc-test-report' }),
        item({ id: 'own-pending', kind: 'risk-assessment', status: 'pending' }),
        item({ id: 'own-rejected', kind: 'risk-assessment', status: 'rejected' }),
        item({ id: 'own-expired', kind: 'instructions', validUntil: '2026-01-01' }),
      ],
      [item({ id: 'inh', kind: 'bill-of-materials' })],
      '2026-11-26',
      noPeriod,
    );
    expect(facts['emc-test-report']).toEqual({ satisfied: true, satisfiedBy: ['own-ok'] });
    expect(facts['risk-assessment']).toEqual({ satisfied: false, satisfiedBy: [], gap: 'pending-review' });
    expect(facts.instructions).toEqual({ satisfied: false, satisfiedBy: [], gap: 'expired' });
    expect(facts['bill-of-materials']).toEqual({ satisfied: true, satisfiedBy: ['inh'] });
  });
});
