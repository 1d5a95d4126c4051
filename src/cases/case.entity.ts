import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A workflow definition as a case pinned it: stored once per content hash, so a running case
 * keeps the exact procedure it started with when the shipped workflows change.
 */
@Entity('workflow_definitions')
export class PinnedWorkflowEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  hash: string;

  @Column({ name: 'workflow_id', type: 'varchar', length: 100 })
  workflowId: string;

  @Column({ type: 'integer' })
  version: number;

  /** JSON of the loaded WorkflowDefinition. */
  @Column({ type: 'text' })
  definition: string;
}

/** One certification procedure: a variant × regime × route, run by a pinned workflow. */
@Entity('cases')
export class CaseEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('ix_cases_variant')
  @Column({ name: 'variant_id', type: 'varchar', length: 36 })
  variantId: string;

  @Column({ type: 'varchar', length: 50 })
  regime: string;

  @Column({ type: 'varchar', length: 30 })
  route: string;

  @Column({ type: 'varchar', length: 2 })
  market: string;

  @Column({ name: 'workflow_id', type: 'varchar', length: 100 })
  workflowId: string;

  @Column({ name: 'workflow_version', type: 'integer' })
  workflowVersion: number;

  @Column({ name: 'workflow_hash', type: 'varchar', length: 64 })
  workflowHash: string;

  /** Content version (rules and workflows) when the case was opened. */
  @Column({ name: 'content_version', type: 'varchar', length: 64 })
  contentVersion: string;

  /** JSON: evidence kinds the regime and route required at opening, per step. */
  @Column({ type: 'text' })
  requirements: string;

  /** JSON: XState's persisted snapshot. */
  @Column({ type: 'text' })
  snapshot: string;

  @Column({ type: 'varchar', length: 100 })
  state: string;

  @Column({ type: 'varchar', length: 30 })
  status: string;

  /** Incremented by every event; the optimistic-concurrency check (If-Match). */
  @Column({ type: 'integer' })
  version: number;

  @Column({ name: 'opened_by', type: 'varchar', length: 36 })
  openedBy: string;

  @Column({ name: 'opened_at', type: 'varchar', length: 24 })
  openedAt: string;

  @Column({ name: 'updated_at', type: 'varchar', length: 24 })
  updatedAt: string;
}

/** A signature given with a case event (e.g. signing the declaration of conformity). */
@Entity('case_signatures')
export class CaseSignatureEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  @Index('ix_case_signatures_case')
  @Column({ name: 'case_id', type: 'varchar', length: 36 })
  caseId: string;

  @Column({ type: 'varchar', length: 200 })
  meaning: string;

  @Column({ type: 'varchar', length: 100 })
  event: string;

  @Column({ name: 'signer_id', type: 'varchar', length: 36 })
  signerId: string;

  @Column({ name: 'signer_name', type: 'varchar', length: 200 })
  signerName: string;

  @Column({ name: 'signer_role', type: 'varchar', length: 20 })
  signerRole: string;

  @Column({ name: 'signed_at', type: 'varchar', length: 24 })
  signedAt: string;

  /** SHA-256 of the canonical JSON of the case snapshot and the covered evidence set. */
  @Column({ type: 'varchar', length: 64 })
  sha256: string;

  /** JSON: `[{ id, kind, sha256 }]` of the evidence the signature covered. */
  @Column({ type: 'text' })
  covered: string;
}

/** A processed `Idempotency-Key`: a replay answers the stored response and writes nothing. */
@Entity('idempotency_keys')
export class IdempotencyKeyEntity {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 36 })
  userId: string;

  @PrimaryColumn({ name: 'idempotency_key', type: 'varchar', length: 200 })
  key: string;

  /** SHA-256 of the method, path and body: the same key with another request is refused. */
  @Column({ name: 'request_sha256', type: 'varchar', length: 64 })
  requestSha256: string;

  @Column({ name: 'response_status', type: 'integer' })
  responseStatus: number;

  @Column({ name: 'response_body', type: 'text' })
  responseBody: string;

  @Column({ name: 'created_at', type: 'varchar', length: 24 })
  createdAt: string;
}
