import { canonicalJson, sha256Hex } from '../common/canonical.js';
import type { SignatureFact } from './guard-facts.js';

/*
 * Signatures given with case events, as pure functions: what a signature covers, its hash, and
 * whether it is still current.
 */

export interface CoveredEvidence {
  id: string;
  kind: string;
  sha256: string;
}

export interface RecordedSignature {
  meaning: string;
  signedAt: string;
  covered: CoveredEvidence[];
}

/**
 * SHA-256 of the RFC 8785 canonical JSON of what the signer saw: the case, its persisted
 * snapshot and version at signing, and the evidence set (id, kind, SHA-256 of the bytes).
 */
export function signatureHash(input: {
  caseId: string;
  version: number;
  snapshot: unknown;
  meaning: string;
  covered: CoveredEvidence[];
}): string {
  const covered = [...input.covered].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return sha256Hex(canonicalJson({ ...input, covered }));
}

/** Where each covered item stands now: `current`, or why it no longer counts. */
export type CoveredStanding = (id: string) => { standing: string; label: string } | undefined;

/**
 * The latest signature per meaning, with whether it is still current: a signature goes stale
 * when any evidence it covered was later superseded, rejected or has expired.
 */
export function signatureFacts(
  signatures: RecordedSignature[],
  standingOf: CoveredStanding,
): Record<string, SignatureFact> {
  const latest = new Map<string, RecordedSignature>();
  for (const s of signatures) {
    const seen = latest.get(s.meaning);
    if (!seen || s.signedAt >= seen.signedAt) latest.set(s.meaning, s);
  }
  const facts: Record<string, SignatureFact> = {};
  for (const [meaning, s] of latest) {
    const problems = s.covered.flatMap((item) => {
      const now = standingOf(item.id);
      if (!now) return [`${item.kind} ${item.id} is no longer available`];
      return now.standing === 'current' ? [] : [`${now.label} is now ${now.standing}`];
    });
    facts[meaning] =
      problems.length === 0
        ? { current: true }
        : { current: false, staleBecause: `signed evidence changed: ${problems.join('; ')}` };
  }
  return facts;
}
