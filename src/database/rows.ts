import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/*
 * Hand-written SQL for the hot paths. A case transition runs about a dozen statements, and
 * profiling showed TypeORM's query builder spending more CPU building and mapping them than
 * SQLite spent running them. These helpers take plain SQL with `?` placeholders (numbered `$n`
 * for PostgreSQL) and map rows through the entity's own metadata (column names, transformers,
 * simple-json and simple-array), so the statements cannot drift from the entities.
 */

interface Mapping {
  table: string;
  /** `"column" AS "property", …` for SELECT. */
  columns: string;
  convert: ((row: Record<string, unknown>) => void)[];
}

const mappings = new WeakMap<object, Mapping>();

function mapping(em: EntityManager, entity: EntityTarget<ObjectLiteral>): Mapping {
  const metadata = em.connection.getMetadata(entity);
  let found = mappings.get(metadata);
  if (!found) {
    found = {
      table: metadata.tableName,
      columns: metadata.columns.map((c) => `"${c.databaseName}" AS "${c.propertyName}"`).join(', '),
      convert: metadata.columns.flatMap((c) => converter(c)),
    };
    mappings.set(metadata, found);
  }
  return found;
}

const absent = (value: unknown): value is null | undefined => value === null || value === undefined;

function converter(column: ColumnMetadata): ((row: Record<string, unknown>) => void)[] {
  const name = column.propertyName;
  const transformer = column.transformer;
  if (transformer && !Array.isArray(transformer)) return [(row) => (row[name] = transformer.from(row[name]))];
  if (column.type === 'simple-json')
    return [(row) => (row[name] = absent(row[name]) ? row[name] : JSON.parse(String(row[name])))];
  if (column.type === 'simple-array') {
    return [(row) => (row[name] = absent(row[name]) || row[name] === '' ? [] : String(row[name]).split(','))];
  }
  return [];
}

/** `?` placeholders as the driver wants them. */
function placeholders(em: EntityManager, sql: string): string {
  if (em.connection.options.type !== 'postgres') return sql;
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** Rows of an entity's table matching `where` (SQL with `?` placeholders), mapped to entities. */
export async function selectRows<T extends ObjectLiteral>(
  em: EntityManager,
  entity: EntityTarget<T>,
  where: string,
  params: unknown[],
  tail = '',
): Promise<T[]> {
  const m = mapping(em, entity);
  const rows = (await em.query(
    placeholders(em, `SELECT ${m.columns} FROM "${m.table}" WHERE ${where} ${tail}`),
    params,
  )) as Record<string, unknown>[];
  for (const row of rows) for (const convert of m.convert) convert(row);
  return rows as T[];
}

/** Runs an INSERT, UPDATE or DELETE (`?` placeholders); returns the number of rows it changed. */
export async function execute(em: EntityManager, sql: string, params: unknown[]): Promise<number> {
  const runner = em.queryRunner;
  const text = placeholders(em, sql);
  if (runner) return (await runner.query(text, params, true)).affected ?? 0;
  const own = em.connection.createQueryRunner();
  try {
    return (await own.query(text, params, true)).affected ?? 0;
  } finally {
    await own.release();
  }
}
