import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { TestApp } from './app-harness.js';

/** Every table the migrations create. */
const TABLES = [
  'organisations',
  'users',
  'tokens',
  'products',
  'variants',
  'auditor_grants',
  'evidence',
  'workflow_definitions',
  'cases',
  'case_signatures',
  'idempotency_keys',
  'dossiers',
  'audit_streams',
  'audit_records',
];

/**
 * What a bad request must leave unchanged: row counts of every table, every audit stream's
 * length and head, each case's version and each dossier's status, and every file (with its size)
 * under the blob store and the dossier folder, temporary files included.
 */
export interface StateSnapshot {
  rows: Record<string, number>;
  auditHeads: Record<string, string>;
  cases: Record<string, number>;
  dossiers: Record<string, string>;
  files: Record<string, number>;
}

function listFiles(root: string, dir = root, into: Record<string, number> = {}): Record<string, number> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return into;
  }
  for (const name of names) {
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) continue;
    if (stat.isDirectory()) listFiles(root, path, into);
    else into[relative(root, path)] = stat.size;
  }
  return into;
}

export async function snapshotState(t: TestApp): Promise<StateSnapshot> {
  const db = t.database.reader;
  const rows: Record<string, number> = {};
  for (const table of TABLES) {
    const [{ n }] = (await db.query(`SELECT COUNT(*) AS n FROM ${table}`)) as { n: number | string }[];
    rows[table] = Number(n);
  }
  const heads = (await db.query('SELECT stream, "length", head FROM audit_streams')) as {
    stream: string;
    length: number | string;
    head: string;
  }[];
  const cases = (await db.query('SELECT id, version FROM cases')) as { id: string; version: number }[];
  const dossiers = (await db.query('SELECT id, status FROM dossiers')) as { id: string; status: string }[];
  return {
    rows,
    auditHeads: Object.fromEntries(heads.map((h) => [h.stream, `${Number(h.length)}:${h.head}`])),
    cases: Object.fromEntries(cases.map((c) => [c.id, Number(c.version)])),
    dossiers: Object.fromEntries(dossiers.map((d) => [d.id, d.status])),
    files: {
      ...listFiles(join(t.config.dataDir, 'blobs')),
      ...Object.fromEntries(
        Object.entries(listFiles(join(t.config.dataDir, 'dossiers'))).map(([k, v]) => [`dossiers/${k}`, v]),
      ),
    },
  };
}
