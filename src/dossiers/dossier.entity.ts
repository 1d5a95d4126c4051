import { Column, Entity, Index, PrimaryColumn, type ValueTransformer } from 'typeorm';

export const DOSSIER_STATUSES = ['pending', 'ready', 'failed'] as const;
export type DossierStatus = (typeof DOSSIER_STATUSES)[number];

const bigintAsNumber: ValueTransformer = {
  to: (value: number | null) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

/**
 * A generated dossier. Its id is derived from what it covers (variant, market, content version,
 * audit heads), so asking again with nothing changed names the same dossier.
 */
@Entity('dossiers')
export class DossierEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('ix_dossiers_variant')
  @Column({ name: 'variant_id', type: 'varchar', length: 36 })
  variantId: string;

  @Column({ type: 'varchar', length: 2 })
  market: string;

  @Column({ type: 'varchar', length: 10 })
  status: DossierStatus;

  /** Why rendering failed, in words for the user. */
  @Column({ type: 'text', nullable: true })
  reason: string | null;

  /** The time of the last audit record the dossier covers. */
  @Column({ type: 'varchar', length: 24, nullable: true })
  date: string | null;

  @Column({ name: 'pdf_sha256', type: 'varchar', length: 64, nullable: true })
  pdfSha256: string | null;

  @Column({ name: 'manifest_sha256', type: 'varchar', length: 64, nullable: true })
  manifestSha256: string | null;

  @Column({ type: 'integer', nullable: true })
  pages: number | null;

  @Column({ type: 'bigint', nullable: true, transformer: bigintAsNumber })
  bytes: number | null;

  /** The manifest JSON, exactly as served. */
  @Column({ type: 'text', nullable: true })
  manifest: string | null;

  @Column({ name: 'requested_by', type: 'varchar', length: 36 })
  requestedBy: string;

  @Column({ name: 'requested_at', type: 'varchar', length: 24 })
  requestedAt: string;

  @Column({ name: 'completed_at', type: 'varchar', length: 24, nullable: true })
  completedAt: string | null;
}
