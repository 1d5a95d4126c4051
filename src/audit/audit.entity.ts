import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The head of one audit stream; its row is locked while a record is appended. */
@Entity('audit_streams')
export class AuditStreamEntity {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  stream: string;

  @Column({ type: 'integer' })
  length: number;

  @Column({ type: 'varchar', length: 64 })
  head: string;
}

/** One audit record (design §5). Never updated or deleted. */
@Entity('audit_records')
export class AuditRecordEntity {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  stream: string;

  @PrimaryColumn({ type: 'integer' })
  seq: number;

  @Column({ type: 'varchar', length: 24 })
  at: string;

  /** JSON of `{ id, name, role, org }`. */
  @Column({ type: 'text' })
  actor: string;

  @Column({ type: 'varchar', length: 100 })
  action: string;

  /** JSON of the action's data. */
  @Column({ type: 'text' })
  data: string;

  @Column({ name: 'prev_hash', type: 'varchar', length: 64 })
  prevHash: string;

  @Column({ type: 'varchar', length: 64 })
  hash: string;
}
