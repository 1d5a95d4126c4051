import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const ROLES = ['admin', 'maintainer', 'customiser', 'legal', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

@Entity('organisations')
export class OrganisationEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('uq_organisations_name', { unique: true })
  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ name: 'created_at', type: 'varchar', length: 24 })
  createdAt: string;
}

@Entity('users')
export class UserEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('ix_users_organisation')
  @Column({ name: 'organisation_id', type: 'varchar', length: 36 })
  organisationId: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Index('uq_users_email', { unique: true })
  @Column({ type: 'varchar', length: 320 })
  email: string;

  /** Comma-separated role names; small, fixed vocabulary. */
  @Column({ type: 'simple-array' })
  roles: Role[];

  @Column({ name: 'created_at', type: 'varchar', length: 24 })
  createdAt: string;
}

/**
 * A bearer token is `cf_<id>_<secret>`. Only the SHA-256 of the secret is stored; the id finds
 * the row and the hashes are compared in constant time.
 */
@Entity('tokens')
export class TokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  id: string;

  @Index('ix_tokens_user')
  @Column({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @Column({ name: 'secret_sha256', type: 'varchar', length: 64 })
  secretSha256: string;

  @Column({ name: 'created_at', type: 'varchar', length: 24 })
  createdAt: string;

  /** Set once when an admin revokes the token; it then authenticates nobody. */
  @Column({ name: 'revoked_at', type: 'varchar', length: 24, nullable: true })
  revokedAt: string | null;
}
