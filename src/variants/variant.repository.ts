import { Injectable } from '@nestjs/common';
import { In, type EntityManager, type FindOptionsWhere } from 'typeorm';
import { RowCache } from '../common/row-cache.js';
import { Database } from '../database/database.js';
import { VariantEntity } from './variant.entity.js';

export interface VariantFilter {
  productId?: string;
  organisationId?: string;
  ids?: string[];
}

@Injectable()
export class VariantRepository {
  /** Variants are never updated: every read by id after the first is answered from memory. */
  private readonly byId = new RowCache<VariantEntity>();

  constructor(private readonly db: Database) {}

  async insert(tx: EntityManager, variant: VariantEntity): Promise<void> {
    await tx.getRepository(VariantEntity).insert(variant);
  }

  async find(id: string, em: EntityManager = this.db.reader): Promise<VariantEntity | null> {
    const load = () => em.getRepository(VariantEntity).findOneBy({ id });
    // Only committed rows are cached: a row read inside a write transaction may still roll back.
    return em === this.db.reader ? this.byId.through(id, load) : load();
  }

  async findByKey(
    productId: string,
    key: string,
    em: EntityManager = this.db.reader,
  ): Promise<VariantEntity | null> {
    return em.getRepository(VariantEntity).findOneBy({ productId, key });
  }

  async list(filter: VariantFilter): Promise<VariantEntity[]> {
    const where: FindOptionsWhere<VariantEntity> = {};
    if (filter.productId) where.productId = filter.productId;
    if (filter.organisationId) where.organisationId = filter.organisationId;
    if (filter.ids) where.id = In(filter.ids);
    return this.db.reader
      .getRepository(VariantEntity)
      .find({ where, order: { createdAt: 'ASC', id: 'ASC' } });
  }
}
