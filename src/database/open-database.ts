import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Logger } from '@nestjs/common';
import sqlite3 from 'sqlite3';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { describeDatabase, type AppConfig } from '../config/config.js';
import { type Database, PostgresDatabase, SqliteDatabase } from './database.js';
import { ENTITIES } from './entities.js';
import { sqliteDriver } from './sqlite-driver.js';
import { MIGRATIONS } from './migrations/index.js';

const common = {
  entities: ENTITIES,
  migrations: MIGRATIONS,
  migrationsTransactionMode: 'each',
  synchronize: false,
  logging: false,
} as const;

/** Options of the data source that owns the schema; also used by the migration tests. */
export function dataSourceOptions(settings: AppConfig['database']): DataSourceOptions {
  if (settings.kind === 'postgres') {
    return {
      ...common,
      type: 'postgres',
      url: settings.url,
      poolSize: settings.poolSize,
      // One application name makes the service's sessions easy to find in pg_stat_activity.
      applicationName: 'certflow',
    };
  }
  return {
    ...common,
    type: 'sqlite',
    driver: sqliteDriver,
    database: settings.file,
    enableWAL: true,
    busyTimeout: settings.busyTimeoutMs,
  };
}

/**
 * Opens the database, applies pending migrations and, on SQLite, sets and logs the durability
 * settings. Never `synchronize`: the schema changes only through migrations.
 */
export async function openDatabase(settings: AppConfig['database']): Promise<Database> {
  const logger = new Logger('Database');
  logger.log(`opening ${describeDatabase(settings)}`);
  if (settings.kind === 'sqlite') mkdirSync(dirname(settings.file), { recursive: true });

  const owner = new DataSource(dataSourceOptions(settings));
  await owner.initialize();
  try {
    const applied = await owner.runMigrations({ transaction: 'each' });
    for (const migration of applied) logger.log(`applied migration ${migration.name}`);
  } catch (error) {
    await owner.destroy();
    throw error;
  }

  if (settings.kind === 'postgres') return new PostgresDatabase(owner);

  await owner.query('PRAGMA synchronous = FULL');
  await owner.query(`PRAGMA busy_timeout = ${settings.busyTimeoutMs}`);
  const [journal] = await owner.query('PRAGMA journal_mode');
  const [sync] = await owner.query('PRAGMA synchronous');
  const [busy] = await owner.query('PRAGMA busy_timeout');
  logger.log(
    `SQLite journal_mode=${journal.journal_mode} synchronous=${syncName(sync.synchronous)} ` +
      `busy_timeout=${busy.timeout ?? busy.busy_timeout}ms`,
  );

  const readOnly = async (): Promise<DataSource> => {
    const source = new DataSource({
      ...dataSourceOptions(settings),
      migrations: [],
      enableWAL: false, // already set on the file by the writer; a read-only connection cannot set it
      flags: sqlite3.OPEN_READONLY,
    } as DataSourceOptions);
    return source.initialize();
  };
  // Requests read on one connection; snapshots (a dossier's consistent view) hold a read
  // transaction open on their own, so requests keep seeing every new commit meanwhile.
  return new SqliteDatabase(owner, await readOnly(), await readOnly());
}

function syncName(value: number): string {
  return ['OFF', 'NORMAL', 'FULL', 'EXTRA'][value] ?? String(value);
}
