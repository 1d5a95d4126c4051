import { Injectable } from '@nestjs/common';
import { IsNull, type EntityManager } from 'typeorm';
import { Database } from '../database/database.js';
import { selectRows } from '../database/rows.js';
import { EvidenceEntity } from './evidence.entity.js';

@Injectable()
export class EvidenceRepository {
  constructor(private readonly db: Database) {}

  async insert(tx: EntityManager, evidence: EvidenceEntity): Promise<void> {
    await tx.getRepository(EvidenceEntity).insert(evidence);
  }

  async find(id: string, em: EntityManager = this.db.reader): Promise<EvidenceEntity | null> {
    return em.getRepository(EvidenceEntity).findOneBy({ id });
  }

  /** Marks `id` superseded by `by`, only if nothing superseded it yet; false when something did. */
  async markSuperseded(tx: EntityManager, id: string, by: string): Promise<boolean> {
    const result = await tx
      .getRepository(EvidenceEntity)
      .update({ id, supersededBy: IsNull() }, { supersededBy: by });
    return (result.affected ?? 0) === 1;
  }

  async review(
    tx: EntityManager,
    id: string,
    expected: EvidenceEntity['status'],
    change: Pick<EvidenceEntity, 'status' | 'reviewedBy' | 'reviewedAt' | 'reviewComment'>,
  ): Promise<boolean> {
    const result = await tx
      .getRepository(EvidenceEntity)
      .update({ id, status: expected, supersededBy: IsNull() }, change);
    return (result.affected ?? 0) === 1;
  }

  async listForProduct(productId: string, em: EntityManager = this.db.reader): Promise<EvidenceEntity[]> {
    return em
      .getRepository(EvidenceEntity)
      .find({ where: { productId, owner: 'product' }, order: { uploadedAt: 'ASC', id: 'ASC' } });
  }

  /** A variant's own items and its product's items, in one query: what inheritance is computed from. */
  async listForVariantAndProduct(
    variantId: string,
    productId: string,
    em: EntityManager = this.db.reader,
  ): Promise<{ own: EvidenceEntity[]; product: EvidenceEntity[] }> {
    // Read by every case event: plain SQL (see database/rows.ts).
    const rows = await selectRows(
      em,
      EvidenceEntity,
      "(variant_id = ? AND owner = 'variant') OR (product_id = ? AND owner = 'product')",
      [variantId, productId],
      'ORDER BY uploaded_at, id',
    );
    return {
      own: rows.filter((r) => r.owner === 'variant'),
      product: rows.filter((r) => r.owner === 'product'),
    };
  }

  async isBlobReferenced(sha256: string): Promise<boolean> {
    return this.db.reader.getRepository(EvidenceEntity).existsBy({ sha256 });
  }
}
