import type { Role } from '../auth/auth.entity.js';

/*
 * The contract between the certification-case service and the workflow machines.
 *
 * Machines are pure: they never read the database. Before stepping a case, the service gathers
 * the facts the guards need and sends them inside the event (`event.facts`). Guards read only
 * their params and these facts, so a workflow behaves the same in the service, in model-based
 * tests and in stock XState tooling (given the same guard implementations).
 */

/** Stages of a procedure that evidence requirements are grouped by (reference §14). */
export const EVIDENCE_STEPS = [
  'scoping',
  'standards',
  'risk-assessment',
  'testing',
  'instructions-and-marking',
  'technical-file',
  'notified-body',
  'declaration',
] as const;
export type EvidenceStep = (typeof EVIDENCE_STEPS)[number];

/** Why an evidence kind does not count (yet). */
export type EvidenceGap = 'missing' | 'pending-review' | 'rejected' | 'expired' | 'superseded';

/** What the case's variant has of one evidence kind. */
export interface EvidenceFact {
  /** True when at least one item of the kind is accepted, unexpired and not superseded (own or inherited). */
  satisfied: boolean;
  /** The items that satisfy it (evidence ids). */
  satisfiedBy: string[];
  /** When the most recently accepted of those items was accepted (RFC 3339), if any. */
  latestAcceptedAt?: string;
  /** When not satisfied: the best explanation (e.g. an item exists but is pending review). */
  gap?: EvidenceGap;
}

/** A signature recorded earlier on the case. */
export interface SignatureFact {
  /** False when evidence the signature covered was later superseded, rejected or expired. */
  current: boolean;
  /** Plain words on why it is stale, when it is. */
  staleBecause?: string;
}

export interface GuardFacts {
  /** Roles of the user sending the event. */
  roles: Role[];
  /** Per evidence kind (only kinds that matter to the case need be present; absent = missing). */
  evidence: Record<string, EvidenceFact>;
  /** Evidence kinds the case's regime and route require, per step (from rules/). */
  required: Partial<Record<EvidenceStep, string[]>>;
  /** The signature sent with this event, if any. */
  signature?: { meaning: string };
  /** Signatures recorded earlier on the case, by meaning (the latest per meaning). */
  signatures: Record<string, SignatureFact>;
  /**
   * When the case entered its current state (RFC 3339): lets a guard ask for evidence accepted
   * during this step (a renewed certificate, the next unit's certificate), not an older item.
   */
  stateEnteredAt?: string;
}

/** Every event the service sends into a case machine. */
export interface CaseEvent {
  type: string;
  facts: GuardFacts;
}
