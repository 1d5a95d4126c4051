import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { id, text, time, varchar } from './columns.js';

/** Certification cases, their pinned workflows, signatures and idempotency keys. */
export class Cases1764200000000 implements MigrationInterface {
  name = 'Cases1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'workflow_definitions',
        columns: [
          { ...varchar('hash', 64), isPrimary: true },
          varchar('workflow_id', 100),
          { name: 'version', type: 'integer' },
          text('definition'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'cases',
        columns: [
          id(),
          varchar('variant_id', 36),
          varchar('regime', 50),
          varchar('route', 30),
          varchar('market', 2),
          varchar('workflow_id', 100),
          { name: 'workflow_version', type: 'integer' },
          varchar('workflow_hash', 64),
          varchar('content_version', 64),
          text('requirements'),
          text('snapshot'),
          varchar('state', 100),
          varchar('status', 30),
          { name: 'version', type: 'integer' },
          varchar('opened_by', 36),
          time('opened_at'),
          time('updated_at'),
        ],
        indices: [{ name: 'ix_cases_variant', columnNames: ['variant_id'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'case_signatures',
        columns: [
          id(),
          varchar('case_id', 36),
          varchar('meaning', 200),
          varchar('event', 100),
          varchar('signer_id', 36),
          varchar('signer_name', 200),
          varchar('signer_role', 20),
          time('signed_at'),
          varchar('sha256', 64),
          text('covered'),
        ],
        indices: [{ name: 'ix_case_signatures_case', columnNames: ['case_id'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'idempotency_keys',
        columns: [
          { ...varchar('user_id', 36), isPrimary: true },
          { ...varchar('idempotency_key', 200), isPrimary: true },
          varchar('request_sha256', 64),
          { name: 'response_status', type: 'integer' },
          text('response_body'),
          time('created_at'),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['idempotency_keys', 'case_signatures', 'cases', 'workflow_definitions']) {
      await q.dropTable(table);
    }
  }
}
