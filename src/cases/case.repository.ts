import { Injectable } from '@nestjs/common';
import { In, type EntityManager, type FindOptionsWhere } from 'typeorm';
import { Database } from '../database/database.js';
import { execute, selectRows } from '../database/rows.js';
import {
  CaseEntity,
  CaseSignatureEntity,
  IdempotencyKeyEntity,
  PinnedWorkflowEntity,
} from './case.entity.js';

@Injectable()
export class CaseRepository {
  constructor(private readonly db: Database) {}

  async find(id: string, em: EntityManager = this.db.reader): Promise<CaseEntity | null> {
    // Read by every case event: plain SQL (see database/rows.ts).
    const [row] = await selectRows(em, CaseEntity, 'id = ?', [id]);
    return row ?? null;
  }

  /**
   * Cases of one variant or of several, oldest first. A long list of variants (the legal team
   * sees all of them) is read in chunks: SQLite and PostgreSQL both limit the parameters of one
   * statement (32,766 and 65,535).
   */
  async list(
    filter: { variantIds?: string[]; variantId?: string },
    em: EntityManager = this.db.reader,
    chunkSize = 500,
  ): Promise<CaseEntity[]> {
    const find = (where: FindOptionsWhere<CaseEntity>) =>
      em.getRepository(CaseEntity).find({ where, order: { openedAt: 'ASC', id: 'ASC' } });
    if (filter.variantId) return find({ variantId: filter.variantId });
    if (!filter.variantIds) return find({});
    const ids = filter.variantIds;
    const chunks: CaseEntity[][] = [];
    for (let i = 0; i < ids.length; i += chunkSize) {
      chunks.push(await find({ variantId: In(ids.slice(i, i + chunkSize)) }));
    }
    if (chunks.length === 1) return chunks[0];
    const key = (c: CaseEntity) => `${c.openedAt} ${c.id}`;
    return chunks.flat().sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  }

  async insert(tx: EntityManager, row: CaseEntity): Promise<void> {
    await tx.getRepository(CaseEntity).insert(row);
  }

  /**
   * Writes the case's next state only if nobody changed it since `expectedVersion` was read;
   * false when someone did (the optimistic check behind If-Match and concurrent senders).
   */
  async updateIfVersion(
    tx: EntityManager,
    id: string,
    expectedVersion: number,
    change: Pick<CaseEntity, 'snapshot' | 'state' | 'status' | 'updatedAt'>,
  ): Promise<boolean> {
    const changed = await execute(
      tx,
      'UPDATE cases SET snapshot = ?, state = ?, status = ?, updated_at = ?, version = ? WHERE id = ? AND version = ?',
      [
        change.snapshot,
        change.state,
        change.status,
        change.updatedAt,
        expectedVersion + 1,
        id,
        expectedVersion,
      ],
    );
    return changed === 1;
  }

  async findPinned(hash: string, em: EntityManager = this.db.reader): Promise<PinnedWorkflowEntity | null> {
    return em.getRepository(PinnedWorkflowEntity).findOneBy({ hash });
  }

  async pin(tx: EntityManager, row: PinnedWorkflowEntity): Promise<void> {
    await tx.createQueryBuilder().insert().into(PinnedWorkflowEntity).values(row).orIgnore().execute();
  }

  async signatures(caseId: string, em: EntityManager = this.db.reader): Promise<CaseSignatureEntity[]> {
    // Read by every case event: plain SQL (see database/rows.ts).
    return selectRows(em, CaseSignatureEntity, 'case_id = ?', [caseId], 'ORDER BY signed_at, id');
  }

  async insertSignature(tx: EntityManager, row: CaseSignatureEntity): Promise<void> {
    await tx.getRepository(CaseSignatureEntity).insert(row);
  }

  async findIdempotencyKey(
    userId: string,
    key: string,
    em: EntityManager = this.db.reader,
  ): Promise<IdempotencyKeyEntity | null> {
    return em.getRepository(IdempotencyKeyEntity).findOneBy({ userId, key });
  }

  async insertIdempotencyKey(tx: EntityManager, row: IdempotencyKeyEntity): Promise<void> {
    await tx.getRepository(IdempotencyKeyEntity).insert(row);
  }
}
