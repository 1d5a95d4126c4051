import { describe, expect, it } from '@jest/globals';
import { ROLES } from '../auth/auth.entity.js';
import type { GuardFacts } from './guard-facts.js';
import {
  checkGuard,
  compileGuard,
  explainGuard,
  explainRoles,
  GUARD_NAMES,
  guardNeeds,
  rolesAllow,
  SENDER_ROLES,
  XSTATE_GUARDS,
  type GuardRef,
} from './guards.js';

function facts(overrides: Partial<GuardFacts> = {}): GuardFacts {
  return { roles: ['legal'], evidence: {}, required: {}, signatures: {}, ...overrides };
}

const accepted = { satisfied: true, satisfiedBy: ['ev-1'] };

function problemsOf(ref: unknown, evidenceKinds?: string[]): string[] {
  const problems: string[] = [];
  compileGuard(ref, (path, message) => problems.push(`${path}: ${message}`), {
    evidenceKinds: evidenceKinds ? new Set(evidenceKinds) : undefined,
  });
  return problems;
}

describe('evidenceAccepted', () => {
  const ref: GuardRef = {
    type: 'evidenceAccepted',
    params: { kinds: ['emc-test-report', 'risk-assessment'] },
  };

  it('passes when every kind is satisfied', () => {
    const f = facts({ evidence: { 'emc-test-report': accepted, 'risk-assessment': accepted } });
    expect(checkGuard(ref, f)).toBe(true);
    expect(explainGuard(ref, f)).toEqual([]);
  });

  it('explains each kind that is not satisfied, with the gap in plain words', () => {
    const f = facts({
      evidence: { 'emc-test-report': { satisfied: false, satisfiedBy: [], gap: 'pending-review' } },
    });
    expect(checkGuard(ref, f)).toBe(false);
    expect(explainGuard(ref, f)).toEqual([
      'emc-test-report: an item is pending review',
      'risk-assessment: nothing uploaded yet',
    ]);
  });

  it.each([
    ['rejected', 'the item was rejected'],
    ['expired', 'the item has expired'],
    ['superseded', 'the item was superseded and its replacement is not accepted yet'],
    ['missing', 'nothing uploaded yet'],
  ] as const)('words the %s gap', (gap, words) => {
    const f = facts({ evidence: { 'emc-test-report': { satisfied: false, satisfiedBy: [], gap } } });
    expect(explainGuard({ type: 'evidenceAccepted', params: { kinds: ['emc-test-report'] } }, f)).toEqual([
      `emc-test-report: ${words}`,
    ]);
  });

  it('validates its params against the evidence vocabulary', () => {
    expect(problemsOf(ref, ['emc-test-report'])).toEqual([
      "params.kinds[1]: unknown evidence kind 'risk-assessment' (see rules/evidence-kinds.yaml)",
    ]);
    expect(problemsOf({ type: 'evidenceAccepted', params: { kinds: [] } })).toEqual([
      'params.kinds: must be a non-empty list of strings',
    ]);
    expect(problemsOf({ type: 'evidenceAccepted', params: { kind: 'x' } })).toEqual([
      "params.kind: unknown param 'kind' of evidenceAccepted (expected kinds)",
      'params.kinds: must be a non-empty list of strings',
    ]);
  });
});

describe('requiredEvidenceAccepted', () => {
  const ref: GuardRef = { type: 'requiredEvidenceAccepted', params: { steps: ['testing', 'declaration'] } };

  it("checks the case's own requirements for the listed steps, each kind once", () => {
    const required = {
      testing: ['emc-test-report', 'electrical-safety-test-report'],
      declaration: ['emc-test-report'],
    };
    const f = facts({ required, evidence: { 'electrical-safety-test-report': accepted } });
    expect(explainGuard(ref, f)).toEqual(['emc-test-report: nothing uploaded yet']);
    expect(checkGuard(ref, { ...f, evidence: { ...f.evidence, 'emc-test-report': accepted } })).toBe(true);
  });

  it('passes when the regime requires nothing for the steps', () => {
    expect(checkGuard(ref, facts({ required: { scoping: ['product-description'] } }))).toBe(true);
  });

  it('ignores requirements of other steps', () => {
    expect(checkGuard(ref, facts({ required: { 'risk-assessment': ['risk-assessment'] } }))).toBe(true);
  });

  it('validates the step names', () => {
    expect(problemsOf({ type: 'requiredEvidenceAccepted', params: { steps: ['testing', 'tests'] } })).toEqual(
      [expect.stringMatching(/^params\.steps\[1\]: unknown step 'tests' \(expected one of scoping, /)],
    );
  });
});

describe('evidenceAcceptedSince', () => {
  const ref: GuardRef = {
    type: 'evidenceAcceptedSince',
    params: { kinds: ['type-examination-certificate'] },
  };
  const entered = '2026-11-01T10:00:00.000Z';
  const accepted = (at?: string) => ({
    satisfied: true,
    satisfiedBy: ['ev-1'],
    ...(at ? { latestAcceptedAt: at } : {}),
  });

  it('passes when an item was accepted after the case entered its state', () => {
    const f = facts({
      stateEnteredAt: entered,
      evidence: { 'type-examination-certificate': accepted('2026-11-02T09:00:00.000Z') },
    });
    expect(explainGuard(ref, f)).toEqual([]);
    expect(checkGuard(ref, f)).toBe(true);
  });

  it('blocks on the certificate accepted before the step began (the one under review), saying when each was', () => {
    const f = facts({
      stateEnteredAt: entered,
      evidence: { 'type-examination-certificate': accepted('2021-11-02T09:00:00.000Z') },
    });
    expect(explainGuard(ref, f)).toEqual([
      'type-examination-certificate: no item accepted since this step began at 2026-11-01T10:00:00.000Z (the newest was accepted at 2021-11-02T09:00:00.000Z); upload the new decision and accept it',
    ]);
  });

  it('compares instants, not strings (offsets and precision differ)', () => {
    const at = (latestAcceptedAt: string) =>
      facts({
        stateEnteredAt: entered,
        evidence: { 'type-examination-certificate': accepted(latestAcceptedAt) },
      });
    expect(checkGuard(ref, at('2026-11-01T11:30:00+01:00'))).toBe(true);
    expect(checkGuard(ref, at('2026-11-01T10:30:00+01:00'))).toBe(false);
    expect(checkGuard(ref, at('2026-11-01T10:00:00Z'))).toBe(false); // not after: the same instant
  });

  it('blocks when the time of acceptance or of entering the state is unknown', () => {
    expect(
      explainGuard(
        ref,
        facts({ stateEnteredAt: entered, evidence: { 'type-examination-certificate': accepted() } }),
      ),
    ).toEqual([
      'type-examination-certificate: no item accepted since this step began at 2026-11-01T10:00:00.000Z (when the current item was accepted is not known); upload the new decision and accept it',
    ]);
    expect(
      explainGuard(
        ref,
        facts({ evidence: { 'type-examination-certificate': accepted('2026-11-02T09:00:00.000Z') } }),
      ),
    ).toEqual([
      'type-examination-certificate: cannot tell whether it was accepted during this step (when the case entered this state is not known)',
    ]);
  });

  it('explains a kind that has no current item with the usual gap words', () => {
    const f = facts({
      stateEnteredAt: entered,
      evidence: {
        'type-examination-certificate': { satisfied: false, satisfiedBy: [], gap: 'expired' },
      },
    });
    expect(explainGuard(ref, f)).toEqual(['type-examination-certificate: the item has expired']);
    expect(explainGuard(ref, facts({ stateEnteredAt: entered }))).toEqual([
      'type-examination-certificate: nothing uploaded yet',
    ]);
  });

  it('validates its params like evidenceAccepted and is listed by guardNeeds', () => {
    expect(problemsOf(ref, ['emc-test-report'])).toEqual([
      "params.kinds[0]: unknown evidence kind 'type-examination-certificate' (see rules/evidence-kinds.yaml)",
    ]);
    expect(problemsOf({ type: 'evidenceAcceptedSince', params: { kinds: [], since: 'x' } })).toEqual([
      "params.since: unknown param 'since' of evidenceAcceptedSince (expected kinds)",
      'params.kinds: must be a non-empty list of strings',
    ]);
    expect(guardNeeds(ref)).toMatchObject({
      kinds: ['type-examination-certificate'],
      kindsSince: ['type-examination-certificate'],
      steps: [],
      stepsSince: [],
    });
  });
});

describe('requiredEvidenceAcceptedSince', () => {
  const ref: GuardRef = { type: 'requiredEvidenceAcceptedSince', params: { steps: ['notified-body'] } };
  const entered = '2026-11-01T10:00:00.000Z';

  it("checks the case's own notified-body kind, so each act's route names its own certificate", () => {
    const evidence = {
      'radio-type-examination-certificate': {
        satisfied: true,
        satisfiedBy: ['red'],
        latestAcceptedAt: '2026-11-05T10:00:00.000Z',
      },
      'emc-type-examination-certificate': {
        satisfied: true,
        satisfiedBy: ['emc'],
        latestAcceptedAt: '2024-01-05T10:00:00.000Z',
      },
    };
    const red = facts({
      stateEnteredAt: entered,
      evidence,
      required: { 'notified-body': ['radio-type-examination-certificate'] },
    });
    expect(checkGuard(ref, red)).toBe(true);
    const emc = { ...red, required: { 'notified-body': ['emc-type-examination-certificate'] } };
    expect(explainGuard(ref, emc)).toEqual([
      'emc-type-examination-certificate: no item accepted since this step began at 2026-11-01T10:00:00.000Z (the newest was accepted at 2024-01-05T10:00:00.000Z); upload the new decision and accept it',
    ]);
  });

  it('passes when the route requires nothing for the steps (the loader refuses such a route)', () => {
    expect(checkGuard(ref, facts({ stateEnteredAt: entered }))).toBe(true);
  });

  it('validates the step names and is listed by guardNeeds', () => {
    expect(problemsOf({ type: 'requiredEvidenceAcceptedSince', params: { steps: ['nb'] } })).toEqual([
      expect.stringMatching(/^params\.steps\[0\]: unknown step 'nb' \(expected one of scoping, /),
    ]);
    expect(guardNeeds(ref)).toMatchObject({
      steps: ['notified-body'],
      stepsSince: ['notified-body'],
      kinds: [],
    });
  });
});

describe('signaturePresent', () => {
  const ref: GuardRef = { type: 'signaturePresent', params: { meaning: 'declaration of conformity' } };

  it('passes only when the event carries a signature with that meaning', () => {
    expect(checkGuard(ref, facts({ signature: { meaning: 'declaration of conformity' } }))).toBe(true);
    expect(explainGuard(ref, facts())).toEqual([
      "needs a signature with meaning 'declaration of conformity'",
    ]);
    expect(explainGuard(ref, facts({ signature: { meaning: 'technical file approved' } }))).toEqual([
      "needs a signature with meaning 'declaration of conformity'; the signature sent means 'technical file approved'",
    ]);
  });

  it('validates the meaning', () => {
    expect(problemsOf({ type: 'signaturePresent', params: { meaning: ' ' } })).toEqual([
      'params.meaning: must be a non-empty string (what the signature means, e.g. "declaration of conformity")',
    ]);
  });
});

describe('signatureCurrent', () => {
  const ref: GuardRef = { type: 'signatureCurrent', params: { meaning: 'technical file approved' } };

  it('passes while the earlier signature is current', () => {
    expect(checkGuard(ref, facts({ signatures: { 'technical file approved': { current: true } } }))).toBe(
      true,
    );
  });

  it('blocks when the signature was never given', () => {
    expect(explainGuard(ref, facts())).toEqual([
      "needs the earlier signature 'technical file approved', which has not been given",
    ]);
  });

  it('blocks while it is stale, saying why', () => {
    const stale = { current: false, staleBecause: 'emc-test-report it covered was superseded' };
    expect(explainGuard(ref, facts({ signatures: { 'technical file approved': stale } }))).toEqual([
      "the signature 'technical file approved' is stale (emc-test-report it covered was superseded); it must be signed again",
    ]);
    expect(
      explainGuard(ref, facts({ signatures: { 'technical file approved': { current: false } } })),
    ).toEqual(["the signature 'technical file approved' is stale; it must be signed again"]);
  });

  it('does not accept the signature sent with the event instead', () => {
    expect(checkGuard(ref, facts({ signature: { meaning: 'technical file approved' } }))).toBe(false);
  });
});

describe('roleAllowed', () => {
  const ref: GuardRef = { type: 'roleAllowed', params: { roles: ['legal'] } };

  it('passes for a listed role and for admin', () => {
    expect(checkGuard(ref, facts({ roles: ['legal'] }))).toBe(true);
    expect(checkGuard(ref, facts({ roles: ['customiser', 'legal'] }))).toBe(true);
    expect(checkGuard(ref, facts({ roles: ['admin'] }))).toBe(true);
  });

  it('says which role is needed and which the sender has', () => {
    expect(explainGuard(ref, facts({ roles: ['customiser'] }))).toEqual([
      'needs role legal; you have customiser',
    ]);
    expect(
      explainGuard(
        { type: 'roleAllowed', params: { roles: ['customiser', 'legal'] } },
        facts({ roles: ['auditor'] }),
      ),
    ).toEqual(['needs role customiser or legal; you have auditor']);
    expect(explainGuard(ref, facts({ roles: [] }))).toEqual(['needs role legal; you have no role']);
  });

  it('rejects unknown roles and auditors at load', () => {
    expect(problemsOf({ type: 'roleAllowed', params: { roles: ['legal', 'lawyer', 'auditor'] } })).toEqual([
      "params.roles[1]: unknown role 'lawyer' (expected one of admin, customiser, legal)",
      'params.roles[2]: auditors only read; they never send events',
    ]);
  });

  it('shares its logic with the helpers the service uses for 403', () => {
    expect(rolesAllow(['legal'], ['admin'])).toBe(true);
    expect(rolesAllow(['legal'], ['customiser'])).toBe(false);
    expect(explainRoles(['legal'], ['customiser'])).toEqual(['needs role legal; you have customiser']);
    expect(explainRoles([], ['customiser'])).toEqual(['no role may send this event; you have customiser']);
  });

  it('names only real roles', () => {
    for (const role of SENDER_ROLES) expect(ROLES).toContain(role);
    expect(ROLES.filter((r) => !(SENDER_ROLES as readonly string[]).includes(r))).toEqual([
      'maintainer',
      'auditor',
    ]);
  });
});

describe('allOf', () => {
  const ref: GuardRef = {
    type: 'allOf',
    params: {
      guards: [
        { type: 'requiredEvidenceAccepted', params: { steps: ['declaration'] } },
        { type: 'signatureCurrent', params: { meaning: 'technical file approved' } },
        { type: 'signaturePresent', params: { meaning: 'declaration of conformity' } },
      ],
    },
  };

  it('passes when every part passes', () => {
    const f = facts({
      required: { declaration: ['declaration-of-conformity'] },
      evidence: { 'declaration-of-conformity': accepted },
      signatures: { 'technical file approved': { current: true } },
      signature: { meaning: 'declaration of conformity' },
    });
    expect(checkGuard(ref, f)).toBe(true);
  });

  it('explains every part that blocks, in order', () => {
    const f = facts({ required: { declaration: ['declaration-of-conformity'] } });
    expect(explainGuard(ref, f)).toEqual([
      'declaration-of-conformity: nothing uploaded yet',
      "needs the earlier signature 'technical file approved', which has not been given",
      "needs a signature with meaning 'declaration of conformity'",
    ]);
  });

  it('nests', () => {
    const nested: GuardRef = {
      type: 'allOf',
      params: { guards: [ref, { type: 'roleAllowed', params: { roles: ['legal'] } }] },
    };
    expect(explainGuard(nested, facts({ roles: ['customiser'] }))).toHaveLength(3);
  });

  it('reports problems of its parts with their paths', () => {
    expect(
      problemsOf({
        type: 'allOf',
        params: {
          guards: [
            { type: 'signaturePresent', params: {} },
            { type: 'maybe', params: {} },
          ],
        },
      }),
    ).toEqual([
      'params.guards[0].params.meaning: must be a non-empty string (what the signature means, e.g. "declaration of conformity")',
      "params.guards[1].type: unknown guard 'maybe' (expected one of evidenceAccepted, requiredEvidenceAccepted, evidenceAcceptedSince, requiredEvidenceAcceptedSince, signaturePresent, signatureCurrent, roleAllowed, allOf)",
    ]);
    expect(problemsOf({ type: 'allOf', params: { guards: [] } })).toEqual([
      'params.guards: must be a non-empty list of guards',
    ]);
  });

  it('lists what the whole tree needs', () => {
    expect(guardNeeds(ref)).toEqual({
      kinds: [],
      steps: ['declaration'],
      kindsSince: [],
      stepsSince: [],
      signatures: ['declaration of conformity'],
      signaturesCurrent: ['technical file approved'],
      roles: [],
    });
  });
});

describe('guard refs', () => {
  it('must name a guard with params', () => {
    expect(problemsOf('signaturePresent')).toEqual([
      ": guard 'signaturePresent' needs params: write { type: signaturePresent, params: { … } }",
    ]);
    expect(problemsOf({ type: 'signaturePresent' })).toEqual(['params: must be a mapping']);
    expect(problemsOf({ type: 'signaturePresent', params: { meaning: 'x' }, when: 'always' })).toEqual([
      "when: unknown key 'when' (a guard has type and params)",
    ]);
    expect(problemsOf([1])).toEqual([': a guard is a mapping { type, params }']);
  });

  it('refuse to run with invalid params', () => {
    expect(() => explainGuard({ type: 'evidenceAccepted', params: { kinds: 'x' } }, facts())).toThrow(
      /invalid guard/,
    );
  });
});

describe('XSTATE_GUARDS', () => {
  it('has one XState guard function per guard, reading event.facts', () => {
    expect(Object.keys(XSTATE_GUARDS)).toEqual(GUARD_NAMES);
    const params = { meaning: 'declaration of conformity' };
    const signed = {
      type: 'SIGN_DECLARATION',
      facts: facts({ signature: { meaning: 'declaration of conformity' } }),
    };
    expect(XSTATE_GUARDS.signaturePresent({ event: signed }, params)).toBe(true);
    expect(XSTATE_GUARDS.signaturePresent({ event: { ...signed, facts: facts() } }, params)).toBe(false);
  });

  it('treats an event that carries no facts (as sent from stock tooling) as having nothing', () => {
    expect(XSTATE_GUARDS.roleAllowed({ event: { type: 'X' } }, { roles: ['legal'] })).toBe(false);
    expect(XSTATE_GUARDS.requiredEvidenceAccepted({ event: { type: 'X' } }, { steps: ['testing'] })).toBe(
      true,
    );
  });
});
