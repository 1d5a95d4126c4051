import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OrganisationEntity } from '../src/auth/auth.entity.js';
import type { AppConfig } from '../src/config/config.js';
import type { Database } from '../src/database/database.js';
import { openDatabase } from '../src/database/open-database.js';
import { createPostgresDatabase, DATABASE_KINDS } from './support/databases.js';

/** The data layer on its own: snapshots see one moment, while every other read sees the latest commit. */
describe.each(DATABASE_KINDS)('the data layer on %s', (kind) => {
  let db: Database;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    let settings: AppConfig['database'];
    if (kind === 'postgres') {
      const pg = await createPostgresDatabase();
      settings = { kind: 'postgres', url: pg.url, poolSize: 4 };
      cleanup = pg.drop;
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'certflow-db-'));
      settings = { kind: 'sqlite', file: join(dir, 'db.sqlite'), busyTimeoutMs: 1000 };
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    }
    db = await openDatabase(settings);
  });
  afterAll(async () => {
    await db?.close();
    await cleanup?.();
  });

  const organisation = (name: string): OrganisationEntity => ({
    id: crypto.randomUUID(),
    name,
    createdAt: new Date().toISOString(),
  });
  const count = (em = db.reader) => em.getRepository(OrganisationEntity).count();

  it('lets reads see a commit made while a snapshot is open, and keeps the snapshot at its moment', async () => {
    await db.write((tx) => tx.getRepository(OrganisationEntity).insert(organisation('before')));
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let seenInSnapshot = -1;
    const snapshot = db.snapshot(async (em) => {
      const first = await count(em);
      await held;
      seenInSnapshot = (await count(em)) - first;
    });
    await new Promise((r) => setTimeout(r, 50));

    await db.write((tx) => tx.getRepository(OrganisationEntity).insert(organisation('during')));
    expect(await count()).toBe(2);
    release();
    await snapshot;
    expect(seenInSnapshot).toBe(0);
  });

  it('rolls back one failing command of a batch alone and keeps the others', async () => {
    const before = await count();
    const results = await Promise.allSettled([
      db.write((tx) => tx.getRepository(OrganisationEntity).insert(organisation('a'))),
      db.write(async (tx) => {
        await tx.getRepository(OrganisationEntity).insert(organisation('doomed'));
        throw new Error('refused');
      }),
      db.write((tx) => tx.getRepository(OrganisationEntity).insert(organisation('b'))),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await count()).toBe(before + 2);
    const names = (await db.reader.getRepository(OrganisationEntity).find()).map((o) => o.name);
    expect(names).not.toContain('doomed');
  });
});
