import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppError } from '../common/app-error.js';
import type { Principal } from '../common/principal.js';
import { nowIso } from '../common/time.js';
import {
  ChainVerifier,
  GENESIS_HASH,
  hashRecord,
  type AuditActor,
  type AuditRecord,
  type ChainVerification,
} from './audit-chain.js';
import { AuditRepository } from './audit.repository.js';

/**
 * Who may read a stream of one kind: resolves when the caller may see the subject `id`, throws
 * a NOT_FOUND `AppError` otherwise. Feature modules register one per stream kind they own.
 */
export type StreamAccess = (principal: Principal, id: string) => Promise<void>;

const STREAM = /^([a-z]+):([0-9a-fA-F-]{36})$/;

@Injectable()
export class AuditService {
  private readonly access = new Map<string, StreamAccess>();

  constructor(private readonly repository: AuditRepository) {}

  /** Declares the stream kind `kind:<id>` and who may read it. */
  registerStream(kind: string, access: StreamAccess): void {
    this.access.set(kind, access);
  }

  /**
   * Appends one record to a stream inside the caller's write transaction, so the change and
   * its record commit together or not at all.
   */
  async append(
    tx: EntityManager,
    stream: string,
    actor: AuditActor,
    action: string,
    data: unknown,
  ): Promise<AuditRecord> {
    let head = await this.repository.lockHead(tx, stream);
    if (!head) {
      await this.repository.createHead(tx, stream);
      head = await this.repository.lockHead(tx, stream);
    }
    const prev = head ?? { length: 0, head: GENESIS_HASH };
    const unsigned = {
      stream,
      seq: prev.length + 1,
      at: nowIso(),
      actor,
      action,
      data: data ?? {},
      prevHash: prev.head,
    };
    const record: AuditRecord = { ...unsigned, hash: hashRecord(unsigned) };
    await this.repository.insert(tx, record);
    return record;
  }

  /**
   * Checks that the caller may read the stream (unknown or invisible streams answer 404) and
   * returns its name as stored (ids in lower case, as every id is).
   */
  async assertReadable(principal: Principal, stream: string): Promise<string> {
    const match = STREAM.exec(stream);
    const access = match ? this.access.get(match[1]) : undefined;
    if (!match || !access) throw new AppError('NOT_FOUND', `audit stream ${stream} does not exist`);
    const id = match[2].toLowerCase();
    await access(principal, id);
    return `${match[1]}:${id}`;
  }

  async read(
    principal: Principal,
    stream: string,
    afterSeq = 0,
    limit?: number,
  ): Promise<{ stream: string; events: AuditRecord[] }> {
    const name = await this.assertReadable(principal, stream);
    return { stream: name, events: await this.repository.list(name, afterSeq, limit) };
  }

  async verify(principal: Principal, stream: string): Promise<ChainVerification> {
    return this.verifyStream(await this.assertReadable(principal, stream));
  }

  /**
   * Verifies every record of a stream, reading it in pages, and checks the stored head against
   * the records: a head row that is missing while records exist, a head longer than the records
   * (records cut from the end), or a head hash that differs from its record make the stream
   * invalid. Records appended while the check runs are verified too.
   */
  async verifyStream(stream: string): Promise<ChainVerification> {
    const head = await this.repository.head(stream);
    const verifier = new ChainVerifier();
    let hashAtHead: string | undefined;
    for await (const record of this.repository.iterate(stream, Number.MAX_SAFE_INTEGER)) {
      verifier.push(record);
      if (record.seq === head?.length) hashAtHead = record.hash;
    }
    const result = verifier.result();
    if (!result.valid) return result;
    const bad = (firstBadSeq: number): ChainVerification => ({ ...result, valid: false, firstBadSeq });
    if (!head) return result.length === 0 ? result : bad(result.length);
    if (head.length > result.length) return bad(result.length + 1);
    if (head.length > 0 && hashAtHead !== head.head) return bad(head.length);
    return result;
  }

  /**
   * How many records some streams hold. Inside a write transaction with `share`, appends to them
   * wait until it commits: a check that nothing changed meanwhile then holds until the commit.
   */
  lengths(em: EntityManager | undefined, streams: string[], share = false): Promise<Record<string, number>> {
    return this.repository.lengths(em ?? this.repository.reader, streams, share);
  }

  /** Locks a stream's head for the rest of the write transaction (serialises work on its subject). */
  async lock(tx: EntityManager, stream: string): Promise<void> {
    await this.repository.lockHead(tx, stream);
  }

  /** Current head and length of a stream, without reading it. */
  async head(stream: string, em?: EntityManager): Promise<{ length: number; head: string }> {
    const head = await this.repository.head(stream, em);
    return head ? { length: head.length, head: head.head } : { length: 0, head: GENESIS_HASH };
  }

  /** Records 1..`upToSeq` of a stream (no access check: for services that already checked). */
  async records(stream: string, upToSeq: number, em?: EntityManager): Promise<AuditRecord[]> {
    return upToSeq > 0 ? this.repository.list(stream, 0, upToSeq, em) : [];
  }
}
