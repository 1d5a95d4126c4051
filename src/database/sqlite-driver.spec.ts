import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type sqlite3 from 'sqlite3';
import { sqliteDriver } from './sqlite-driver.js';

interface Answer {
  error?: string;
  rows?: unknown[];
  changes?: number;
  lastID?: number;
}

describe('the SQLite driver TypeORM gets', () => {
  let dir: string;
  let db: sqlite3.Database;

  const call = (method: 'all' | 'run', sql: string, params: unknown[] = []) =>
    new Promise<Answer>((resolve) =>
      db[method](sql, params, function (this: sqlite3.RunResult, error: Error | null, rows?: unknown[]) {
        resolve(
          error
            ? { error: error.message }
            : { rows, changes: method === 'run' ? this.changes : undefined, lastID: this.lastID },
        );
      }),
    );

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'certflow-sqlite-driver-'));
    db = await new Promise<sqlite3.Database>((resolve, reject) => {
      const opened = new sqliteDriver.Database(join(dir, 'db.sqlite'), (error) =>
        error ? reject(error) : resolve(opened),
      );
    });
    await call('run', 'CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)');
  });

  afterEach(async () => {
    await new Promise<void>((resolve, reject) => db.close((error) => (error ? reject(error) : resolve())));
    rmSync(dir, { recursive: true, force: true });
  });

  it('does not wrap calls in long-stack-trace recorders', () => {
    expect(sqliteDriver.verbose()).toBe(sqliteDriver);
  });

  it('answers repeated statements with their own parameters, rows, changes and ids', async () => {
    for (const name of ['a', 'b', 'c']) {
      expect(await call('run', 'INSERT INTO t (name) VALUES (?)', [name])).toMatchObject({ changes: 1 });
    }
    expect((await call('run', 'INSERT INTO t (name) VALUES (?)', ['d'])).lastID).toBe(4);
    const answers = await Promise.all(
      ['a', 'b', 'c', 'x', 'a', 'd'].map((name) => call('all', 'SELECT id FROM t WHERE name = ?', [name])),
    );
    expect(answers.map((a) => a.rows)).toEqual([
      [{ id: 1 }],
      [{ id: 2 }],
      [{ id: 3 }],
      [],
      [{ id: 1 }],
      [{ id: 4 }],
    ]);
    expect(await call('run', 'UPDATE t SET name = name || ? WHERE id > ?', ['!', 2])).toMatchObject({
      changes: 2,
    });
  });

  it('reports errors to the caller and keeps working afterwards', async () => {
    for (let i = 0; i < 2; i++) {
      expect((await call('all', 'SELECT * FROM missing WHERE id = ?', [1])).error).toMatch(/no such table/);
    }
    await call('run', 'INSERT INTO t (name) VALUES (?)', ['a']);
    expect((await call('run', 'INSERT INTO t (name) VALUES (?)', ['a'])).error).toMatch(/UNIQUE/);
    expect(await call('run', 'INSERT INTO t (name) VALUES (?)', ['b'])).toMatchObject({ changes: 1 });
  });

  it('commits and rolls back through kept transaction statements', async () => {
    await call('all', 'BEGIN TRANSACTION');
    await call('run', 'INSERT INTO t (name) VALUES (?)', ['kept']);
    await call('all', 'COMMIT');
    await call('all', 'BEGIN TRANSACTION');
    await call('run', 'INSERT INTO t (name) VALUES (?)', ['dropped']);
    await call('all', 'ROLLBACK');
    expect((await call('all', 'SELECT name FROM t')).rows).toEqual([{ name: 'kept' }]);
  });

  it('does not keep a statement that could leave a read open', async () => {
    await call('all', 'PRAGMA journal_mode = WAL');
    await call('run', 'INSERT INTO t (name) VALUES (?)', ['a']);
    await call('run', 'INSERT INTO t (name) VALUES (?)', ['b']);
    // `run` of a query steps once and stops: kept unfinished, it would pin this connection's view
    // of the database to that moment.
    expect((await call('run', 'SELECT name FROM t')).error).toBeUndefined();
    const other = new sqliteDriver.Database(join(dir, 'db.sqlite'));
    await new Promise((resolve) => other.run('INSERT INTO t (name) VALUES (?)', ['c'], resolve));
    await new Promise((resolve) => other.close(resolve));
    expect((await call('all', 'SELECT count(*) AS n FROM t')).rows).toEqual([{ n: 3 }]);
  });
});
