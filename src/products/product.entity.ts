import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { AttributeValues } from '../content/attributes.js';

@Entity('products')
export class ProductEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('uq_products_key', { unique: true })
  @Column({ type: 'varchar', length: 100 })
  key: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ name: 'design_version', type: 'varchar', length: 100 })
  designVersion: string;

  @Column({ name: 'source_url', type: 'varchar', length: 2000, nullable: true })
  sourceUrl: string | null;

  /** The attributes the product sets explicitly; the vocabulary's defaults fill the rest. */
  @Column({ type: 'simple-json' })
  attributes: AttributeValues;

  @Column({ name: 'created_by', type: 'varchar', length: 36 })
  createdBy: string;

  @Column({ name: 'created_at', type: 'varchar', length: 24 })
  createdAt: string;
}
