import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { id, text, time, varchar } from './columns.js';

/** Auditor grants and generated dossiers. */
export class AuditorGrantsDossiers1764300000000 implements MigrationInterface {
  name = 'AuditorGrantsDossiers1764300000000';

  async up(q: QueryRunner): Promise<void> {
    const nullable = { isNullable: true };
    await q.createTable(
      new Table({
        name: 'auditor_grants',
        columns: [
          id(),
          varchar('user_id', 36),
          varchar('variant_id', 36),
          time('expires_at'),
          varchar('granted_by', 36),
          time('granted_at'),
        ],
        indices: [
          { name: 'ix_auditor_grants_user', columnNames: ['user_id'] },
          { name: 'ix_auditor_grants_variant', columnNames: ['variant_id'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'dossiers',
        columns: [
          id(),
          varchar('variant_id', 36),
          varchar('market', 2),
          varchar('status', 10),
          { ...text('reason'), ...nullable },
          { ...time('date'), ...nullable },
          { ...varchar('pdf_sha256', 64), ...nullable },
          { ...varchar('manifest_sha256', 64), ...nullable },
          { name: 'pages', type: 'integer', isNullable: true },
          { name: 'bytes', type: 'bigint', isNullable: true },
          { ...text('manifest'), ...nullable },
          varchar('requested_by', 36),
          time('requested_at'),
          { ...time('completed_at'), ...nullable },
        ],
        indices: [{ name: 'ix_dossiers_variant', columnNames: ['variant_id'] }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('dossiers');
    await q.dropTable('auditor_grants');
  }
}
