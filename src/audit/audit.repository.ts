import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Database } from '../database/database.js';
import { execute, selectRows } from '../database/rows.js';
import type { AuditRecord } from './audit-chain.js';
import { AuditRecordEntity, AuditStreamEntity } from './audit.entity.js';

function toRecord(row: AuditRecordEntity): AuditRecord {
  return {
    stream: row.stream,
    seq: row.seq,
    at: row.at,
    actor: JSON.parse(row.actor),
    action: row.action,
    data: JSON.parse(row.data),
    prevHash: row.prevHash,
    hash: row.hash,
  };
}

@Injectable()
export class AuditRepository {
  constructor(private readonly db: Database) {}

  get reader(): EntityManager {
    return this.db.reader;
  }

  /**
   * The stream's head, locked for the rest of the transaction, so concurrent appends to one
   * stream (also from other service instances on PostgreSQL) queue up instead of forking.
   */
  async lockHead(tx: EntityManager, stream: string): Promise<AuditStreamEntity | null> {
    // Every write appends here, so this is plain SQL (see database/rows.ts).
    const lock = this.db.kind === 'postgres' ? 'FOR UPDATE' : '';
    const [head] = await selectRows(tx, AuditStreamEntity, 'stream = ?', [stream], lock);
    return head ?? null;
  }

  async createHead(tx: EntityManager, stream: string): Promise<void> {
    await execute(
      tx,
      'INSERT INTO audit_streams (stream, length, head) VALUES (?, 0, ?) ON CONFLICT (stream) DO NOTHING',
      [stream, '0'.repeat(64)],
    );
  }

  async insert(tx: EntityManager, record: AuditRecord): Promise<void> {
    await execute(
      tx,
      'INSERT INTO audit_records (stream, seq, at, actor, action, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [
        record.stream,
        record.seq,
        record.at,
        JSON.stringify(record.actor),
        record.action,
        JSON.stringify(record.data),
        record.prevHash,
        record.hash,
      ],
    );
    await execute(tx, 'UPDATE audit_streams SET length = ?, head = ? WHERE stream = ?', [
      record.seq,
      record.hash,
      record.stream,
    ]);
  }

  /**
   * Lengths of some streams. With `share`, the rows are locked against appends until the
   * transaction ends (PostgreSQL; SQLite's single writer needs no lock).
   */
  async lengths(em: EntityManager, streams: string[], share = false): Promise<Record<string, number>> {
    const lock = share && this.db.kind === 'postgres' ? 'FOR SHARE' : '';
    const rows = await selectRows(
      em,
      AuditStreamEntity,
      `stream IN (${streams.map(() => '?').join(', ')})`,
      streams,
      lock,
    );
    return Object.fromEntries(streams.map((s) => [s, rows.find((r) => r.stream === s)?.length ?? 0]));
  }

  async head(stream: string, em: EntityManager = this.db.reader): Promise<AuditStreamEntity | null> {
    return em.getRepository(AuditStreamEntity).findOneBy({ stream });
  }

  /** Records of a stream in seq order, from `afterSeq` on, at most `limit`. */
  async list(
    stream: string,
    afterSeq = 0,
    limit?: number,
    em: EntityManager = this.db.reader,
  ): Promise<AuditRecord[]> {
    // Verification reads whole chains page by page: plain SQL (see database/rows.ts).
    const rows = await selectRows(
      em,
      AuditRecordEntity,
      'stream = ? AND seq > ?',
      limit === undefined ? [stream, afterSeq] : [stream, afterSeq, limit],
      limit === undefined ? 'ORDER BY seq ASC' : 'ORDER BY seq ASC LIMIT ?',
    );
    return rows.map(toRecord);
  }

  /** Records 1..`upToSeq` of a stream, read page by page so a long chain is never held whole. */
  async *iterate(stream: string, upToSeq: number, pageSize = 1000): AsyncGenerator<AuditRecord> {
    let after = 0;
    while (after < upToSeq) {
      const page = await this.list(stream, after, Math.min(pageSize, upToSeq - after));
      yield* page;
      if (page.length === 0) return;
      after = page[page.length - 1].seq;
    }
  }
}
