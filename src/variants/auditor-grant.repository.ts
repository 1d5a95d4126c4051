import { Injectable } from '@nestjs/common';
import { MoreThan, type EntityManager } from 'typeorm';
import { Database } from '../database/database.js';
import { AuditorGrantEntity } from './auditor-grant.entity.js';

@Injectable()
export class AuditorGrantRepository {
  constructor(private readonly db: Database) {}

  async insert(tx: EntityManager, grant: AuditorGrantEntity): Promise<void> {
    await tx.getRepository(AuditorGrantEntity).insert(grant);
  }

  /** Ids of the variants the user holds a grant for at `now` (RFC 3339). */
  async activeVariantIds(userId: string, now: string): Promise<string[]> {
    const rows = await this.db.reader
      .getRepository(AuditorGrantEntity)
      .find({ where: { userId, expiresAt: MoreThan(now) }, select: { variantId: true } });
    return [...new Set(rows.map((r) => r.variantId))];
  }

  async list(filter: { variantId?: string; userId?: string }): Promise<AuditorGrantEntity[]> {
    return this.db.reader.getRepository(AuditorGrantEntity).find({
      where: {
        ...(filter.variantId ? { variantId: filter.variantId } : {}),
        ...(filter.userId ? { userId: filter.userId } : {}),
      },
      order: { grantedAt: 'ASC', id: 'ASC' },
    });
  }
}
