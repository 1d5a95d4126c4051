import { Injectable } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import { RowCache } from '../common/row-cache.js';
import { Database } from '../database/database.js';
import { ProductEntity } from './product.entity.js';

@Injectable()
export class ProductRepository {
  /** Products are never updated: every read by id after the first is answered from memory. */
  private readonly byId = new RowCache<ProductEntity>();

  constructor(private readonly db: Database) {}

  async insert(tx: EntityManager, product: ProductEntity): Promise<void> {
    await tx.getRepository(ProductEntity).insert(product);
  }

  async find(id: string, em: EntityManager = this.db.reader): Promise<ProductEntity | null> {
    const load = () => em.getRepository(ProductEntity).findOneBy({ id });
    // Only committed rows are cached: a row read inside a write transaction may still roll back.
    return em === this.db.reader ? this.byId.through(id, load) : load();
  }

  async findByKey(key: string, em: EntityManager = this.db.reader): Promise<ProductEntity | null> {
    return em.getRepository(ProductEntity).findOneBy({ key });
  }

  /** All products, or only those with the given ids. */
  async list(ids?: string[]): Promise<ProductEntity[]> {
    return this.db.reader
      .getRepository(ProductEntity)
      .find({ where: ids ? { id: In(ids) } : {}, order: { key: 'ASC' } });
  }
}
