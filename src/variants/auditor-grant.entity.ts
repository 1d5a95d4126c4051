import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** An auditor's read access to one variant, until `expiresAt` (design §2). */
@Entity('auditor_grants')
export class AuditorGrantEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('ix_auditor_grants_user')
  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @Index('ix_auditor_grants_variant')
  @Column({ name: 'variant_id', type: 'varchar', length: 36 })
  variantId: string;

  /** RFC 3339 UTC; the grant ends at this instant. */
  @Column({ name: 'expires_at', type: 'varchar', length: 24 })
  expiresAt: string;

  @Column({ name: 'granted_by', type: 'varchar', length: 36 })
  grantedBy: string;

  @Column({ name: 'granted_at', type: 'varchar', length: 24 })
  grantedAt: string;
}
