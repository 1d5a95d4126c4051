import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { AttributeValues } from '../content/attributes.js';

@Entity('variants')
@Index('uq_variants_product_key', ['productId', 'key'], { unique: true })
export class VariantEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('ix_variants_product')
  @Column({ name: 'product_id', type: 'varchar', length: 36 })
  productId: string;

  @Index('ix_variants_organisation')
  @Column({ name: 'organisation_id', type: 'varchar', length: 36 })
  organisationId: string;

  @Column({ type: 'varchar', length: 100 })
  key: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'simple-json' })
  overrides: AttributeValues;

  @Column({ name: 'created_by', type: 'varchar', length: 36 })
  createdBy: string;

  @Column({ name: 'created_at', type: 'varchar', length: 24 })
  createdAt: string;
}
