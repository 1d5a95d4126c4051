import { Column, Entity, Index, PrimaryColumn, type ValueTransformer } from 'typeorm';

export const REVIEW_STATUSES = ['pending', 'accepted', 'rejected'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];
export type EvidenceOwner = 'product' | 'variant';

/** PostgreSQL returns bigint as a string; sizes stay far below 2^53. */
const bigintAsNumber: ValueTransformer = {
  to: (value: number) => value,
  from: (value: string | number) => Number(value),
};

/** One evidence document (one version). Bytes live in the blob store under `sha256`. */
@Entity('evidence')
export class EvidenceEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Column({ type: 'varchar', length: 10 })
  owner: EvidenceOwner;

  /** The product, also for variant evidence (the variant's base product). */
  @Index('ix_evidence_product')
  @Column({ name: 'product_id', type: 'varchar', length: 36 })
  productId: string;

  @Index('ix_evidence_variant')
  @Column({ name: 'variant_id', type: 'varchar', length: 36, nullable: true })
  variantId: string | null;

  @Column({ type: 'varchar', length: 100 })
  kind: string;

  @Column({ name: 'original_name', type: 'varchar', length: 255 })
  originalName: string;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  size: number;

  @Index('ix_evidence_sha256')
  @Column({ type: 'varchar', length: 64 })
  sha256: string;

  @Column({ name: 'media_type', type: 'varchar', length: 100 })
  mediaType: string;

  @Column({ type: 'varchar', length: 200 })
  issuer: string;

  @Column({ name: 'issued_at', type: 'varchar', length: 10 })
  issuedAt: string;

  @Column({ name: 'valid_until', type: 'varchar', length: 10, nullable: true })
  validUntil: string | null;

  @Column({ name: 'uploaded_by', type: 'varchar', length: 36 })
  uploadedBy: string;

  @Column({ name: 'uploaded_at', type: 'varchar', length: 24 })
  uploadedAt: string;

  @Column({ type: 'varchar', length: 10 })
  status: ReviewStatus;

  @Column({ name: 'reviewed_by', type: 'varchar', length: 36, nullable: true })
  reviewedBy: string | null;

  @Column({ name: 'reviewed_at', type: 'varchar', length: 24, nullable: true })
  reviewedAt: string | null;

  @Column({ name: 'review_comment', type: 'text', nullable: true })
  reviewComment: string | null;

  /** The earlier version this item replaces. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  supersedes: string | null;

  /** The later version that replaced this item; set once, never cleared. */
  @Column({ name: 'superseded_by', type: 'varchar', length: 36, nullable: true })
  supersededBy: string | null;
}
