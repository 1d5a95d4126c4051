import { canonicalJson, sha256Hex } from '../common/canonical.js';

/**
 * The tamper-evident audit chain (design §5), as pure functions: a record's hash is the SHA-256
 * of the RFC 8785 (JCS) canonical JSON of the record without `hash`, and each record names the
 * hash of the one before it.
 */

export interface AuditActor {
  id: string;
  name: string;
  role: string;
  org: string;
}

export interface AuditRecord {
  stream: string;
  seq: number;
  at: string;
  actor: AuditActor;
  action: string;
  data: unknown;
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);

export function hashRecord(record: Omit<AuditRecord, 'hash'>): string {
  const { stream, seq, at, actor, action, data, prevHash } = record;
  return sha256Hex(canonicalJson({ stream, seq, at, actor, action, data, prevHash }));
}

export interface ChainVerification {
  valid: boolean;
  length: number;
  /** Hash of the last record, or the genesis hash of an empty stream. */
  head: string;
  /** The first record whose hash or link is wrong, or null. */
  firstBadSeq: number | null;
}

/** Checks the records of one stream fed in seq order, one at a time, in constant memory. */
export class ChainVerifier {
  private expectedPrev = GENESIS_HASH;
  private expectedSeq = 1;
  private length = 0;
  private firstBadSeq: number | null = null;

  push(record: AuditRecord): void {
    this.length++;
    if (this.firstBadSeq === null) {
      const ok =
        record.seq === this.expectedSeq &&
        record.prevHash === this.expectedPrev &&
        hashRecord(record) === record.hash;
      if (!ok) this.firstBadSeq = record.seq;
    }
    this.expectedPrev = record.hash;
    this.expectedSeq = record.seq + 1;
  }

  result(): ChainVerification {
    return {
      valid: this.firstBadSeq === null,
      length: this.length,
      head: this.expectedPrev,
      firstBadSeq: this.firstBadSeq,
    };
  }
}
