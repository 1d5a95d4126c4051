import { Injectable } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import { Database } from '../database/database.js';
import { ProductEntity } from './product.entity.js';

@Injectable()
export class ProductRepository {
  constructor(private readonly db: Database) {}

  async insert(tx: EntityManager, product: ProductEntity): Promise<void> {
    await tx.getRepository(ProductEntity).insert(product);
  }

  async find(id: string, em: EntityManager = this.db.reader): Promise<ProductEntity | null> {
    return em.getRepository(ProductEntity).findOneBy({ id });
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
