import { randomUUID } from 'node:crypto';
import sqlite3 from 'sqlite3';
import { DataSource } from 'typeorm';
import { hashRecord, type AuditActor } from '../src/audit/audit-chain.js';
import { dataSourceOptions } from '../src/database/open-database.js';
import { summarise, type Throughput } from './stats.js';

/*
 * The baseline of `transitionsVsRawSqlite`: the same reads and writes a case transition makes,
 * written directly against the `sqlite3` driver with prepared statements and nothing else. Per
 * transition: read the case row, the evidence the guards judge (the variant's own items and its
 * product's, as many rows as the service's benchmark variants have) and the case's signatures;
 * then, in one transaction, update the case with a version check, read the stream's head, insert
 * the hash-chained audit record and move the head; commit. One transaction per write, WAL,
 * synchronous=FULL, on a database file with the service's own schema (the real migrations), on
 * the same disk as the service's.
 */

/** The two states a benchmark case alternates between, as the service stores them. */
export interface CaseShape {
  /** Everything of a `cases` row except id and version, for inserting copies. */
  row: Record<string, unknown>;
  states: { state: string; status: string; snapshot: string; event: string }[];
  actor: AuditActor;
  /** The evidence rows of one benchmark variant (its own) and of its product, copied per case. */
  evidence: { own: Record<string, unknown>[]; product: Record<string, unknown>[] };
}

interface Prepared {
  run(params: unknown[]): Promise<number>;
  get<T>(params: unknown[]): Promise<T | undefined>;
  all<T>(params: unknown[]): Promise<T[]>;
  finalize(): Promise<void>;
}

function prepare(db: sqlite3.Database, sql: string): Prepared {
  const statement = db.prepare(sql);
  return {
    run: (params) =>
      new Promise((resolve, reject) =>
        statement.run(params, function (this: sqlite3.RunResult, error: Error | null) {
          if (error) reject(error);
          else resolve(this.changes);
        }),
      ),
    get: <T>(params: unknown[]) =>
      new Promise<T | undefined>((resolve, reject) =>
        statement.get(params, (error: Error | null, row: T | undefined) =>
          error ? reject(error) : resolve(row),
        ),
      ),
    all: <T>(params: unknown[]) =>
      new Promise<T[]>((resolve, reject) =>
        statement.all(params, (error: Error | null, rows: T[]) => (error ? reject(error) : resolve(rows))),
      ),
    finalize: () => new Promise<void>((resolve) => statement.finalize(() => resolve())),
  };
}

function exec(db: sqlite3.Database, sql: string): Promise<void> {
  return new Promise((resolve, reject) => db.exec(sql, (error) => (error ? reject(error) : resolve())));
}

function all<T>(db: sqlite3.Database, sql: string): Promise<T[]> {
  return new Promise((resolve, reject) =>
    db.all(sql, (error: Error | null, rows: T[]) => (error ? reject(error) : resolve(rows))),
  );
}

export class RawSqliteLoop {
  private constructor(
    private readonly db: sqlite3.Database,
    private readonly shape: CaseShape,
    private readonly cases: { id: string; at: number; variantId: string; productId: string }[],
    private readonly statements: Record<
      | 'readCase'
      | 'readEvidence'
      | 'readSignatures'
      | 'updateCase'
      | 'readHead'
      | 'insertRecord'
      | 'moveHead',
      Prepared
    >,
    readonly pragmas: string,
  ) {}

  /** Creates `file` with the service's migrations and `count` cases shaped like the service's. */
  static async open(file: string, shape: CaseShape, count: number): Promise<RawSqliteLoop> {
    const schema = new DataSource(dataSourceOptions({ kind: 'sqlite', file, busyTimeoutMs: 5000 }));
    await schema.initialize();
    await schema.runMigrations({ transaction: 'each' });
    await schema.destroy();

    const db = await new Promise<sqlite3.Database>((resolve, reject) => {
      const opened: sqlite3.Database = new sqlite3.Database(file, (error) =>
        error ? reject(error) : resolve(opened),
      );
    });
    await exec(db, 'PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;');
    const [journal] = await all<{ journal_mode: string }>(db, 'PRAGMA journal_mode');
    const [sync] = await all<{ synchronous: number }>(db, 'PRAGMA synchronous');
    const pragmas = `journal_mode=${journal.journal_mode} synchronous=${sync.synchronous === 2 ? 'FULL' : sync.synchronous}`;

    const productId = randomUUID();
    const cases = Array.from({ length: count }, () => ({
      id: randomUUID(),
      at: 0,
      variantId: randomUUID(),
      productId,
    }));
    const columns = Object.keys(shape.row);
    const insert = prepare(
      db,
      `INSERT INTO cases (id, version, ${columns.join(', ')}) VALUES (?, 1, ${columns.map(() => '?').join(', ')})`,
    );
    const head = prepare(db, 'INSERT INTO audit_streams (stream, length, head) VALUES (?, 0, ?)');
    const evidenceColumns = Object.keys(shape.evidence.own[0] ?? shape.evidence.product[0] ?? {});
    const evidence = prepare(
      db,
      `INSERT INTO evidence (${evidenceColumns.join(', ')}) VALUES (${evidenceColumns.map(() => '?').join(', ')})`,
    );
    const copy = (row: Record<string, unknown>, change: Record<string, unknown>) =>
      evidence.run(evidenceColumns.map((column) => (column in change ? change[column] : row[column])));
    await exec(db, 'BEGIN');
    for (const row of shape.evidence.product) await copy(row, { id: randomUUID(), product_id: productId });
    for (const c of cases) {
      await insert.run([c.id, ...Object.values({ ...shape.row, variant_id: c.variantId })]);
      await head.run([`case:${c.id}`, '0'.repeat(64)]);
      for (const row of shape.evidence.own) {
        await copy(row, { id: randomUUID(), product_id: productId, variant_id: c.variantId });
      }
    }
    await exec(db, 'COMMIT');
    await insert.finalize();
    await head.finalize();
    await evidence.finalize();

    return new RawSqliteLoop(
      db,
      shape,
      cases,
      {
        readCase: prepare(db, 'SELECT * FROM cases WHERE id = ?'),
        readEvidence: prepare(
          db,
          "SELECT * FROM evidence WHERE (variant_id = ? AND owner = 'variant') OR (product_id = ? AND owner = 'product') ORDER BY uploaded_at, id",
        ),
        readSignatures: prepare(db, 'SELECT * FROM case_signatures WHERE case_id = ? ORDER BY signed_at, id'),
        updateCase: prepare(
          db,
          'UPDATE cases SET snapshot = ?, state = ?, status = ?, updated_at = ?, version = ? WHERE id = ? AND version = ?',
        ),
        readHead: prepare(db, 'SELECT length, head FROM audit_streams WHERE stream = ?'),
        insertRecord: prepare(
          db,
          'INSERT INTO audit_records (stream, seq, at, actor, action, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        ),
        moveHead: prepare(db, 'UPDATE audit_streams SET length = ?, head = ? WHERE stream = ?'),
      },
      pragmas,
    );
  }

  /** Runs transitions one after another, round-robin over the cases, for `ms`. */
  async run(ms: number): Promise<Throughput> {
    const latencies: number[] = [];
    const cpu = process.cpuUsage();
    const start = performance.now();
    const deadline = start + ms;
    let i = 0;
    while (performance.now() < deadline) {
      const t0 = performance.now();
      await this.transition(this.cases[i++ % this.cases.length]);
      latencies.push(performance.now() - t0);
    }
    return summarise(latencies, performance.now() - start, 0, process.cpuUsage(cpu));
  }

  private async transition(c: {
    id: string;
    at: number;
    variantId: string;
    productId: string;
  }): Promise<void> {
    const s = this.statements;
    const row = await s.readCase.get<{ state: string; version: number }>([c.id]);
    if (!row) throw new Error(`raw case ${c.id} is missing`);
    const evidence = await s.readEvidence.all([c.variantId, c.productId]);
    if (evidence.length === 0) throw new Error(`raw case ${c.id} has no evidence to judge`);
    await s.readSignatures.all([c.id]);
    const from = this.shape.states[c.at];
    const to = this.shape.states[(c.at + 1) % this.shape.states.length];
    const now = new Date().toISOString();
    const stream = `case:${c.id}`;
    await exec(this.db, 'BEGIN');
    try {
      const changed = await s.updateCase.run([
        to.snapshot,
        to.state,
        to.status,
        now,
        row.version + 1,
        c.id,
        row.version,
      ]);
      if (changed !== 1) throw new Error('version conflict');
      const head = await s.readHead.get<{ length: number; head: string }>([stream]);
      if (!head) throw new Error(`raw stream ${stream} is missing`);
      const unsigned = {
        stream,
        seq: head.length + 1,
        at: now,
        actor: this.shape.actor,
        action: 'case.event',
        data: { type: from.event, from: row.state, to: to.state, version: row.version + 1, comment: null },
        prevHash: head.head,
      };
      const hash = hashRecord(unsigned);
      await s.insertRecord.run([
        stream,
        unsigned.seq,
        now,
        JSON.stringify(unsigned.actor),
        unsigned.action,
        JSON.stringify(unsigned.data),
        unsigned.prevHash,
        hash,
      ]);
      await s.moveHead.run([unsigned.seq, hash, stream]);
      await exec(this.db, 'COMMIT');
    } catch (error) {
      await exec(this.db, 'ROLLBACK');
      throw error;
    }
    c.at = (c.at + 1) % this.shape.states.length;
  }

  async close(): Promise<void> {
    for (const statement of Object.values(this.statements)) await statement.finalize();
    await new Promise<void>((resolve, reject) =>
      this.db.close((error) => (error ? reject(error) : resolve())),
    );
  }
}
