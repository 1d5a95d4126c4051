import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
import { id, text, time, varchar } from './columns.js';

/** Evidence documents (metadata; the bytes are in the blob store). */
export class Evidence1764100000000 implements MigrationInterface {
  name = 'Evidence1764100000000';

  async up(q: QueryRunner): Promise<void> {
    const nullable = { isNullable: true };
    await q.createTable(
      new Table({
        name: 'evidence',
        columns: [
          id(),
          varchar('owner', 10),
          varchar('product_id', 36),
          { ...varchar('variant_id', 36), ...nullable },
          varchar('kind', 100),
          varchar('original_name', 255),
          { name: 'size', type: 'bigint' },
          varchar('sha256', 64),
          varchar('media_type', 100),
          varchar('issuer', 200),
          varchar('issued_at', 10),
          { ...varchar('valid_until', 10), ...nullable },
          varchar('uploaded_by', 36),
          time('uploaded_at'),
          varchar('status', 10),
          { ...varchar('reviewed_by', 36), ...nullable },
          { ...time('reviewed_at'), ...nullable },
          { ...text('review_comment'), ...nullable },
          { ...varchar('supersedes', 36), ...nullable },
          { ...varchar('superseded_by', 36), ...nullable },
        ],
        indices: [
          { name: 'ix_evidence_product', columnNames: ['product_id'] },
          { name: 'ix_evidence_variant', columnNames: ['variant_id'] },
          { name: 'ix_evidence_sha256', columnNames: ['sha256'] },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('evidence');
  }
}
