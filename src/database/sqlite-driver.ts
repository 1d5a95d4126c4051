import sqlite3 from 'sqlite3';

/*
 * The `sqlite3` driver as TypeORM gets it. Two things differ from the stock module, both found by
 * profiling case transitions (bench/transitions.bench.ts):
 *
 * - No `verbose()`. TypeORM calls `verbose()` on whatever driver it is given, which wraps every
 *   database call in a long-stack-trace recorder: a `new Error()` and a `util.inspect` of every
 *   argument, SQL and parameters included. That was about a tenth of a transition's CPU time, and
 *   TypeORM's own errors already name the query that failed.
 * - Prepared statements are kept. TypeORM runs every query as `Database#all`/`#run`, which prepare
 *   the SQL, run it and finalize it: three trips to the thread pool per query, two of them spent
 *   on preparing and finalizing. Each connection keeps its most recently used statements
 *   prepared instead, so a repeated query is one trip. A statement is cached only after it has
 *   run once without error, and only when it always runs to completion (every `all`; a `run` of
 *   a write without RETURNING), so a cached statement never holds a transaction or a lock open.
 */

/** Prepared statements kept per connection; the least recently used beyond this are finalized. */
const MAX_STATEMENTS = 256;

const CACHEABLE = /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b/i;

type Callback = (this: sqlite3.Statement, error: Error | null, rows?: unknown[]) => void;
type Method = 'all' | 'run';

/** The native constructor `Database#prepare` uses (its typings do not declare it). */
const Statement = sqlite3.Statement as unknown as new (
  db: sqlite3.Database,
  sql: string,
  prepared: (error: Error | null) => void,
) => sqlite3.Statement;

class StatementCachingDatabase extends sqlite3.Database {
  private readonly statements = new Map<string, sqlite3.Statement>();

  override all(sql: string, ...args: unknown[]): this {
    return this.cached('all', sql, args) ? this : super.all(sql, ...args);
  }

  override run(sql: string, ...args: unknown[]): this {
    return this.cached('run', sql, args) ? this : super.run(sql, ...args);
  }

  override close(callback?: (error: Error | null) => void): void {
    const statements = [...this.statements.values()];
    this.statements.clear();
    void Promise.all(statements.map((s) => new Promise((resolve) => s.finalize(resolve)))).then(() =>
      super.close(callback),
    );
  }

  /** Runs `method` on a kept statement when the call has the shape TypeORM uses; false otherwise. */
  private cached(method: Method, sql: string, args: unknown[]): boolean {
    const [params, callback] = args;
    if (
      args.length !== 2 ||
      typeof callback !== 'function' ||
      !(params === undefined || Array.isArray(params)) ||
      !CACHEABLE.test(sql) ||
      (method === 'run' && (/^\s*(SELECT|WITH)\b/i.test(sql) || /\bRETURNING\b/i.test(sql)))
    ) {
      return false;
    }
    const done = callback as Callback;
    const bound = params ?? [];
    const kept = this.statements.get(sql);
    if (kept) {
      // Most recently used last: the first entry is the one to evict.
      this.statements.delete(sql);
      this.statements.set(sql, kept);
      kept[method](bound, done);
      return true;
    }
    // A failed prepare reports only to the constructor's callback and drops the queued call.
    const fresh = new Statement(this, sql, (error) => {
      if (error) done.call(fresh, error);
    });
    const statements = this.statements;
    fresh[method](bound, function (this: sqlite3.Statement, error: Error | null, rows?: unknown[]) {
      if (error || statements.has(sql)) fresh.finalize();
      else {
        statements.set(sql, fresh);
        if (statements.size > MAX_STATEMENTS) {
          const [oldest, statement] = statements.entries().next().value as [string, sqlite3.Statement];
          statements.delete(oldest);
          statement.finalize();
        }
      }
      done.call(this, error, rows);
    });
    return true;
  }
}

/** The driver to give TypeORM's SQLite data sources (`driver` option). */
export const sqliteDriver: typeof sqlite3 = Object.assign(Object.create(sqlite3) as typeof sqlite3, {
  Database: StatementCachingDatabase,
  verbose: () => sqliteDriver,
});
