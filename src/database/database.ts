import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';

/** A unit of work run inside a write transaction. It must only do database work: no file or network I/O. */
export type WriteWork<T> = (tx: EntityManager) => Promise<T>;

/**
 * The data layer as the rest of the service sees it: a manager for reads, and `write()`, the single
 * path every state change takes.
 *
 * - SQLite: TypeORM's driver shares one connection, so writes are queued and run one after another
 *   by one writer. Commands that arrive while a transaction is running are group-committed: the
 *   writer runs each in its own savepoint (so each fails alone) inside one transaction, commits
 *   once (one fsync), and answers each caller only after that commit. Reads use a second,
 *   read-only connection, so they never see a write that is not yet committed.
 * - PostgreSQL: each write is its own transaction from the pool; concurrency between requests and
 *   between service instances is handled by row locks and version checks inside the work.
 */
export abstract class Database {
  abstract readonly kind: 'sqlite' | 'postgres';
  /** For reads outside a write. On SQLite a separate read-only connection. */
  abstract readonly reader: EntityManager;
  abstract write<T>(work: WriteWork<T>): Promise<T>;
  /**
   * Runs reads that must see one consistent state of the database (a dossier reads cases,
   * evidence and audit streams as of one moment). Snapshots run one at a time.
   */
  abstract snapshot<T>(work: (em: EntityManager) => Promise<T>): Promise<T>;
  abstract close(): Promise<void>;
  /** True when a trivial query answers. */
  async ping(): Promise<boolean> {
    try {
      await this.reader.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }
}

interface Job {
  work: WriteWork<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface Settled {
  job: Job;
  ok: boolean;
  value: unknown;
}

/** Upper bound of commands group-committed in one transaction. */
const MAX_BATCH = 256;

export class SqliteDatabase extends Database {
  readonly kind = 'sqlite' as const;
  private readonly queue: Job[] = [];
  private draining = false;
  private readonly logger = new Logger('Database');

  constructor(
    private readonly writer: DataSource,
    private readonly readSource: DataSource,
    private readonly snapshotSource: DataSource,
  ) {
    super();
  }

  get reader(): EntityManager {
    return this.readSource.manager;
  }

  private snapshots: Promise<unknown> = Promise.resolve();

  snapshot<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    // A read transaction on a connection of its own (SQLite's WAL gives it a stable view of the
    // last commit), one at a time: the connection serves nothing else, so no other read is held
    // back in the past while it is open.
    const run = this.snapshots.then(() => this.snapshotSource.transaction((em) => work(em)));
    this.snapshots = run.catch(() => undefined);
    return run;
  }

  write<T>(work: WriteWork<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        await this.runBatch(batch);
      }
    } finally {
      this.draining = false;
    }
  }

  private async runBatch(batch: Job[]): Promise<void> {
    if (batch.length === 1) return this.runAlone(batch[0]);
    const runner = this.writer.createQueryRunner();
    const settled: Settled[] = [];
    try {
      // TypeORM's nested transactions are savepoints: each command commits or rolls back alone
      // inside the batch's one transaction.
      await runner.startTransaction();
      for (const job of batch) {
        await runner.startTransaction();
        try {
          const value = await job.work(runner.manager);
          await runner.commitTransaction();
          settled.push({ job, ok: true, value });
        } catch (error) {
          await runner.rollbackTransaction();
          settled.push({ job, ok: false, value: error });
        }
      }
      await runner.commitTransaction();
    } catch (error) {
      // The transaction itself failed (disk full, I/O error, lock timeout): nothing in the batch
      // was kept, so every caller still waiting is told so.
      this.logger.error('write transaction failed', error instanceof Error ? error.stack : String(error));
      for (let depth = 0; runner.isTransactionActive && depth < 3; depth++) {
        await runner.rollbackTransaction().catch(() => undefined);
      }
      const answered = new Set(settled.filter((s) => !s.ok).map((s) => s.job));
      for (const job of batch) if (!answered.has(job)) job.reject(error);
      for (const s of settled) if (!s.ok) s.job.reject(s.value);
      return;
    }
    for (const s of settled) (s.ok ? s.job.resolve : s.job.reject)(s.value);
  }

  /**
   * A command that has the transaction to itself needs no savepoint: rolling the transaction back
   * undoes exactly that command. Saves two statements per write when writes do not overlap.
   */
  private async runAlone(job: Job): Promise<void> {
    const runner = this.writer.createQueryRunner();
    let value: unknown;
    try {
      await runner.startTransaction();
      value = await job.work(runner.manager);
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      job.reject(error);
      return;
    }
    try {
      await runner.commitTransaction();
    } catch (error) {
      this.logger.error('write transaction failed', error instanceof Error ? error.stack : String(error));
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      job.reject(error);
      return;
    }
    job.resolve(value);
  }

  async close(): Promise<void> {
    while (this.draining || this.queue.length > 0) await new Promise((r) => setTimeout(r, 5));
    await this.snapshotSource.destroy();
    await this.readSource.destroy();
    await this.writer.destroy();
  }
}

/** PostgreSQL error codes after which the whole transaction may simply be tried again. */
const RETRYABLE = new Set(['40001', '40P01']);

export class PostgresDatabase extends Database {
  readonly kind = 'postgres' as const;

  constructor(private readonly source: DataSource) {
    super();
  }

  get reader(): EntityManager {
    return this.source.manager;
  }

  snapshot<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.source.transaction('REPEATABLE READ', (em) => work(em));
  }

  async write<T>(work: WriteWork<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.source.transaction('READ COMMITTED', work);
      } catch (error) {
        const code = (error as { driverError?: { code?: string } }).driverError?.code;
        if (attempt >= 5 || code === undefined || !RETRYABLE.has(code)) throw error;
      }
    }
  }

  async close(): Promise<void> {
    await this.source.destroy();
  }
}

/** True when a write failed on a unique constraint, on either database. */
export function isUniqueViolation(error: unknown): boolean {
  const driverError = (error as { driverError?: { code?: string; message?: string } }).driverError;
  if (!driverError) return false;
  return (
    driverError.code === '23505' ||
    (driverError.code === 'SQLITE_CONSTRAINT' && /UNIQUE|PRIMARY KEY/.test(driverError.message ?? ''))
  );
}
