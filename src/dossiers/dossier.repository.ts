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
    // Two instances may ask for the same dossier at once: insert-or-ignore, then reset.
    await tx.createQueryBuilder().insert().into(DossierEntity).values(row).orIgnore().execute();
    await tx
      .getRepository(DossierEntity)
      .update(
        { id: row.id },
        { status: 'pending', reason: null, requestedBy: row.requestedBy, requestedAt: row.requestedAt },
      );
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
