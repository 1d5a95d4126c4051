import type { EvidenceFact, EvidenceGap } from '../cases/guard-facts.js';

/*
 * Where an evidence item stands, and what a variant may count: pure functions over evidence
 * metadata, the evidence-kind validity periods and the impact of the variant's changes.
 */

export interface EvidenceItem {
  id: string;
  kind: string;
  status: 'pending' | 'accepted' | 'rejected';
  issuedAt: string;
  validUntil: string | null;
  supersededBy: string | null;
  /** When legal decided on it (RFC 3339), if they have. */
  reviewedAt?: string | null;
}

/** `current` items satisfy requirements; every other standing says why an item does not. */
export type Standing = 'current' | 'pending' | 'rejected' | 'expired' | 'superseded';

/** Adds whole days to a calendar date (YYYY-MM-DD). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * The last day an item is valid: the earlier of its own `validUntil` and the end of the validity
 * period the rules give its kind (counted from `issuedAt`); null when neither limits it.
 */
export function lastValidDay(
  item: Pick<EvidenceItem, 'issuedAt' | 'validUntil'>,
  validityDays?: number,
): string | null {
  const byKind = validityDays !== undefined ? addDays(item.issuedAt, validityDays) : null;
  if (item.validUntil && byKind) return item.validUntil < byKind ? item.validUntil : byKind;
  return item.validUntil ?? byKind;
}

/** Where the item stands on `today` (YYYY-MM-DD). */
export function standing(item: EvidenceItem, today: string, validityDays?: number): Standing {
  if (item.supersededBy) return 'superseded';
  if (item.status === 'rejected') return 'rejected';
  const last = lastValidDay(item, validityDays);
  if (last !== null && today > last) return 'expired';
  return item.status === 'pending' ? 'pending' : 'current';
}

export interface Inheritance<T extends EvidenceItem> {
  /** Current product items the variant counts as its own. */
  inherited: T[];
  /** Current product items the variant's changes invalidate, with the attributes responsible. */
  invalidated: { evidence: T; attributes: string[] }[];
}

/** Splits the product's evidence into what a variant inherits and what its changes invalidate. */
export function inherit<T extends EvidenceItem>(
  productItems: T[],
  invalidatedKinds: ReadonlyMap<string, string[]>,
  today: string,
  validityDays: (kind: string) => number | undefined,
): Inheritance<T> {
  const result: Inheritance<T> = { inherited: [], invalidated: [] };
  for (const item of productItems) {
    if (standing(item, today, validityDays(item.kind)) !== 'current') continue;
    const attributes = invalidatedKinds.get(item.kind);
    if (attributes) result.invalidated.push({ evidence: item, attributes });
    else result.inherited.push(item);
  }
  return result;
}

/** Preference of explanations when no item of a kind counts: the most hopeful first. */
const GAP_ORDER: EvidenceGap[] = ['pending-review', 'expired', 'rejected', 'superseded', 'missing'];

/**
 * What a variant has of each evidence kind, counting its own items and the ones it inherits:
 * the facts the workflow guards read.
 */
export function evidenceFacts(
  own: EvidenceItem[],
  inherited: EvidenceItem[],
  today: string,
  validityDays: (kind: string) => number | undefined,
): Record<string, EvidenceFact> {
  const facts: Record<string, EvidenceFact> = {};
  const note = (item: EvidenceItem, s: Standing): void => {
    const fact = (facts[item.kind] ??= { satisfied: false, satisfiedBy: [], gap: 'missing' });
    if (s === 'current') {
      fact.satisfied = true;
      fact.satisfiedBy.push(item.id);
      delete fact.gap;
      if (item.reviewedAt && (!fact.latestAcceptedAt || item.reviewedAt > fact.latestAcceptedAt)) {
        fact.latestAcceptedAt = item.reviewedAt;
      }
    } else if (!fact.satisfied) {
      const gap: EvidenceGap = s === 'pending' ? 'pending-review' : s;
      if (GAP_ORDER.indexOf(gap) < GAP_ORDER.indexOf(fact.gap ?? 'missing')) fact.gap = gap;
    }
  };
  for (const item of own) note(item, standing(item, today, validityDays(item.kind)));
  for (const item of inherited) note(item, 'current');
  return facts;
}
