import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { id, text, time, varchar } from './columns.js';

/** People, products, variants and the audit log. */
export class Initial1764000000000 implements MigrationInterface {
  name = 'Initial1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'organisations',
        columns: [id(), varchar('name', 200), time('created_at')],
        indices: [{ name: 'uq_organisations_name', columnNames: ['name'], isUnique: true }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'users',
        columns: [
          id(),
          varchar('organisation_id', 36),
          varchar('name', 200),
          varchar('email', 320),
          text('roles'),
          time('created_at'),
        ],
        indices: [
          { name: 'ix_users_organisation', columnNames: ['organisation_id'] },
          { name: 'uq_users_email', columnNames: ['email'], isUnique: true },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'tokens',
        columns: [
          { ...varchar('id', 32), isPrimary: true },
          varchar('user_id', 36),
          varchar('secret_sha256', 64),
          time('created_at'),
        ],
        indices: [{ name: 'ix_tokens_user', columnNames: ['user_id'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'products',
        columns: [
          id(),
          varchar('key', 100),
          varchar('name', 200),
          varchar('design_version', 100),
          { ...varchar('source_url', 2000), isNullable: true },
          text('attributes'),
          varchar('created_by', 36),
          time('created_at'),
        ],
        indices: [{ name: 'uq_products_key', columnNames: ['key'], isUnique: true }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'variants',
        columns: [
          id(),
          varchar('product_id', 36),
          varchar('organisation_id', 36),
          varchar('key', 100),
          varchar('name', 200),
          text('overrides'),
          varchar('created_by', 36),
          time('created_at'),
        ],
        indices: [
          { name: 'ix_variants_product', columnNames: ['product_id'] },
          { name: 'ix_variants_organisation', columnNames: ['organisation_id'] },
          new TableIndex({
            name: 'uq_variants_product_key',
            columnNames: ['product_id', 'key'],
            isUnique: true,
          }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'audit_streams',
        columns: [
          { ...varchar('stream', 100), isPrimary: true },
          { name: 'length', type: 'integer' },
          varchar('head', 64),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'audit_records',
        columns: [
          { ...varchar('stream', 100), isPrimary: true },
          { name: 'seq', type: 'integer', isPrimary: true },
          time('at'),
          text('actor'),
          varchar('action', 100),
          text('data'),
          varchar('prev_hash', 64),
          varchar('hash', 64),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'audit_records',
      'audit_streams',
      'variants',
      'products',
      'tokens',
      'users',
      'organisations',
    ]) {
      await q.dropTable(table);
    }
  }
}
