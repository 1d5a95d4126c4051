import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { time } from './columns.js';

/** Tokens can be revoked. */
export class TokenRevocation1764400000000 implements MigrationInterface {
  name = 'TokenRevocation1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn('tokens', new TableColumn({ ...time('revoked_at'), isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('tokens', 'revoked_at');
  }
}
