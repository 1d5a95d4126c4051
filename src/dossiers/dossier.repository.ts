import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Database } from '../database/database.js';
import { DossierEntity } from './dossier.entity.js';

@Injectable()
export class DossierRepository {
  constructor(private readonly db: Database) {}

  async find(id: string, em: EntityManager = this.db.reader): Promise<DossierEntity | null> {
    return em.getRepository(DossierEntity).findOneBy({ id });
  }

  async listForVariant(variantId: string): Promise<DossierEntity[]> {
    return this.db.reader
      .getRepository(DossierEntity)
      .find({ where: { variantId }, order: { requestedAt: 'DESC', id: 'ASC' } });
  }

  async listPending(): Promise<DossierEntity[]> {
    return this.db.reader
      .getRepository(DossierEntity)
      .find({ where: { status: 'pending' }, order: { requestedAt: 'ASC' } });
  }

  /** Inserts a new request, or resets an existing one to pending for re-rendering. */
  async upsertPending(tx: EntityManager, row: DossierEntity): Promise<void> {
    const repository = tx.getRepository(DossierEntity);
    if (await repository.existsBy({ id: row.id })) {
      await repository.update(
        { id: row.id },
        { status: 'pending', reason: null, requestedBy: row.requestedBy, requestedAt: row.requestedAt },
      );
    } else {
      await repository.insert(row);
    }
  }

  async complete(
    tx: EntityManager,
    id: string,
    change: Pick<
      DossierEntity,
      | 'status'
      | 'reason'
      | 'date'
      | 'pdfSha256'
      | 'manifestSha256'
      | 'pages'
      | 'bytes'
      | 'manifest'
      | 'completedAt'
    >,
  ): Promise<void> {
    await tx.getRepository(DossierEntity).update({ id }, change);
  }
}
