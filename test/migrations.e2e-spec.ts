import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../src/config/config.js';
import { MIGRATIONS } from '../src/database/migrations/index.js';
import { dataSourceOptions } from '../src/database/open-database.js';
import { createPostgresDatabase, DATABASE_KINDS, type DatabaseKind } from './support/databases.js';

/**
 * Every migration, applied to an empty database, must produce exactly the schema the entities
 * describe, on both databases; and must revert cleanly. A migration added later is covered
 * automatically because the suite runs the whole list.
 */
describe.each(DATABASE_KINDS)('migrations on %s', (kind: DatabaseKind) => {
  let source: DataSource;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    let settings: AppConfig['database'];
    if (kind === 'postgres') {
      const db = await createPostgresDatabase();
      settings = { kind: 'postgres', url: db.url, poolSize: 2 };
      cleanup = db.drop;
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'certflow-migrations-'));
      settings = { kind: 'sqlite', file: join(dir, 'm.sqlite'), busyTimeoutMs: 1000 };
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    }
    source = new DataSource(dataSourceOptions(settings));
    await source.initialize();
  });
  afterAll(async () => {
    await source?.destroy();
    await cleanup?.();
  });

  it('applies every migration in order', async () => {
    const applied = await source.runMigrations({ transaction: 'each' });
    expect(applied.map((m) => m.name)).toEqual(MIGRATIONS.map((m) => m.name));
  });

  it('leaves the schema exactly as the entities describe it', async () => {
    const pending = await source.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('reverts every migration and applies them again', async () => {
    for (let i = 0; i < MIGRATIONS.length; i++) await source.undoLastMigration({ transaction: 'each' });
    expect(await source.showMigrations()).toBe(true);
    await source.runMigrations({ transaction: 'each' });
    expect(await source.showMigrations()).toBe(false);
  });
});
