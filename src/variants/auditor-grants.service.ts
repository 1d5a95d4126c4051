import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { AuthService } from '../auth/auth.service.js';
import { AppError } from '../common/app-error.js';
import { auditActor, type Principal } from '../common/principal.js';
import { nowIso } from '../common/time.js';
import { Database } from '../database/database.js';
import type { AuditorGrantEntity } from './auditor-grant.entity.js';
import { AuditorGrantRepository } from './auditor-grant.repository.js';
import type { AuditorGrantDto, CreateAuditorGrantDto } from './dto/auditor-grant.dto.js';
import { VariantsService } from './variants.service.js';

/** Legal and admins grant auditors read access to one variant until a date (design §2). */
@Injectable()
export class AuditorGrantsService {
  constructor(
    private readonly db: Database,
    private readonly grants: AuditorGrantRepository,
    private readonly variants: VariantsService,
    private readonly auth: AuthService,
    private readonly audit: AuditService,
  ) {}

  async create(principal: Principal, input: CreateAuditorGrantDto): Promise<AuditorGrantDto> {
    await this.variants.getVisible(principal, input.variantId);
    const user = await this.auth.findUser(input.userId);
    if (!user)
      throw AppError.validation([{ field: 'userId', message: `user ${input.userId} does not exist` }]);
    if (!user.roles.includes('auditor')) {
      throw AppError.validation([{ field: 'userId', message: `user ${input.userId} is not an auditor` }]);
    }
    const expiresAt = new Date(input.expiresAt);
    if (Number.isNaN(expiresAt.getTime())) {
      throw AppError.validation([{ field: 'expiresAt', message: 'is not a valid time' }]);
    }
    const now = nowIso();
    if (expiresAt.toISOString() <= now) {
      throw AppError.validation([{ field: 'expiresAt', message: 'must be in the future' }]);
    }
    const grant: AuditorGrantEntity = {
      id: randomUUID(),
      userId: user.id,
      variantId: input.variantId,
      expiresAt: expiresAt.toISOString(),
      grantedBy: principal.userId,
      grantedAt: now,
    };
    await this.db.write(async (tx) => {
      await this.grants.insert(tx, grant);
      await this.audit.append(tx, `variant:${grant.variantId}`, auditActor(principal), 'auditor.granted', {
        grantId: grant.id,
        userId: grant.userId,
        userName: user.name,
        expiresAt: grant.expiresAt,
      });
    });
    return toDto(grant, now);
  }

  async list(principal: Principal, variantId?: string): Promise<AuditorGrantDto[]> {
    if (variantId) await this.variants.getVisible(principal, variantId);
    const now = nowIso();
    return (await this.grants.list({ variantId })).map((g) => toDto(g, now));
  }
}

function toDto(grant: AuditorGrantEntity, now: string): AuditorGrantDto {
  return { ...grant, active: grant.expiresAt > now };
}
