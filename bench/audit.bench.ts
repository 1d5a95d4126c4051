import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { GENESIS_HASH, hashRecord, type AuditActor } from '../src/audit/audit-chain.js';
import { AuditService } from '../src/audit/audit.service.js';
import { Database } from '../src/database/database.js';
import { startApp } from '../test/support/app-harness.js';
import { formatTable, median, progress, round, type Row } from './stats.js';
import { repoRoot } from './transitions.bench.js';

/*
 * auditVerify10kMs: `AuditService.verifyStream` over a 10,000-record chain on SQLite, reading the
 * records from the database in pages, recomputing every record's JCS hash and link, and checking
 * the stream's stored head. The chain is appended through `AuditService.append` (100 records per
 * write) in the shape case events have. Reported: the median of 5 runs after one warm-up, with
 * the pure hashing of the same records (no database) beside it for scale. Target ≤ 200 ms.
 */

const RECORDS = 10_000;
const PER_WRITE = 100;
const RUNS = 5;

export interface AuditFigures {
  auditVerify10kMs: number;
  auditVerify10kMinMs: number;
  /** Hashing the same 10,000 records in memory, no database: the floor of the check. */
  auditHash10kMs: number;
}

export async function benchAudit(): Promise<AuditFigures> {
  const t = await startApp('sqlite', { CONTENT_DIR: repoRoot() });
  try {
    const audit = t.app.get(AuditService);
    const db = t.app.get(Database);
    const stream = `case:${randomUUID()}`;
    const actor: AuditActor = { id: randomUUID(), name: 'Legal team', role: 'legal', org: randomUUID() };
    progress(`audit: appending ${RECORDS} records`);
    const states = ['verification_testing', 'design_rework'];
    for (let seq = 0; seq < RECORDS; seq += PER_WRITE) {
      await db.write(async (tx) => {
        for (let i = seq; i < seq + PER_WRITE; i++) {
          await audit.append(tx, stream, actor, 'case.event', {
            type: i % 2 === 0 ? 'TESTS_FAILED' : 'COMPLETE_REWORK',
            from: states[i % 2],
            to: states[(i + 1) % 2],
            version: i + 2,
            comment: i % 10 === 0 ? `round ${i / 10} of rework after the EMC pre-scan` : null,
          });
        }
      });
    }

    progress('audit: verifying');
    const first = await audit.verifyStream(stream);
    if (!first.valid || first.length !== RECORDS)
      throw new Error(`chain check failed: ${JSON.stringify(first)}`);
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      const result = await audit.verifyStream(stream);
      times.push(performance.now() - start);
      if (!result.valid) throw new Error('chain check failed');
    }

    const records = await audit.records(stream, RECORDS);
    const hashTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      let prev = GENESIS_HASH;
      for (const { hash, ...unsigned } of records) {
        if (unsigned.prevHash !== prev || hashRecord(unsigned) !== hash) throw new Error('bad record');
        prev = hash;
      }
      hashTimes.push(performance.now() - start);
    }
    return {
      auditVerify10kMs: round(median(times), 1),
      auditVerify10kMinMs: round(Math.min(...times), 1),
      auditHash10kMs: round(median(hashTimes), 1),
    };
  } finally {
    await t.close();
  }
}

export function auditRows(f: AuditFigures): Row[] {
  return [
    [
      'audit verify, 10k records',
      `${f.auditVerify10kMs} ms`,
      `≤ 200  (fastest ${f.auditVerify10kMinMs} ms; hashing alone ${f.auditHash10kMs} ms)`,
    ],
  ];
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) process.stdout.write(`${formatTable(auditRows(await benchAudit()))}\n`);
