import type { TableColumnOptions } from 'typeorm';

/*
 * Column shapes used by migrations. Only types both SQLite and PostgreSQL understand, so one
 * migration serves both databases. Times are RFC 3339 UTC strings with milliseconds, which sort
 * correctly as text and round-trip exactly.
 */

export const id = (): TableColumnOptions => ({
  name: 'id',
  type: 'varchar',
  length: '36',
  isPrimary: true,
});

export const varchar = (name: string, length: number): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: String(length),
});

export const text = (name: string): TableColumnOptions => ({ name, type: 'text' });

export const time = (name: string): TableColumnOptions => varchar(name, 24);
