import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { AppError } from '../common/app-error.js';
import { auditActor, type Principal } from '../common/principal.js';
import { nowIso } from '../common/time.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { Database, isUniqueViolation } from '../database/database.js';
import type { OrganisationEntity, Role, UserEntity } from './auth.entity.js';
import { AuthRepository } from './auth.repository.js';
import { issueToken, parseToken, secretMatches } from './token.js';

export const ADMIN_TOKEN_FILE = 'admin-token';

@Injectable()
export class AuthService {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly db: Database,
    private readonly repository: AuthRepository,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.audit.registerStream('organisation', async (principal, id) => {
      if (!principal.roles.includes('admin')) throw AppError.notFound('audit stream', `organisation:${id}`);
    });
  }

  /** Resolves a bearer token to its caller, or undefined when it is not a valid token. */
  async authenticate(token: string): Promise<Omit<Principal, 'actingRole'> | undefined> {
    const parsed = parseToken(token);
    if (!parsed) return undefined;
    const found = await this.repository.findTokenWithOwner(parsed.id);
    if (!found || !secretMatches(parsed.secret, found.token.secretSha256) || found.token.revokedAt)
      return undefined;
    return {
      userId: found.user.id,
      name: found.user.name,
      email: found.user.email,
      organisationId: found.organisation.id,
      organisationName: found.organisation.name,
      roles: found.user.roles,
    };
  }

  async createOrganisation(principal: Principal, name: string): Promise<OrganisationEntity> {
    const organisation: OrganisationEntity = { id: randomUUID(), name, createdAt: nowIso() };
    try {
      await this.db.write(async (tx) => {
        if (await this.repository.findOrganisationByName(name, tx)) {
          throw new AppError('CONFLICT', `an organisation named '${name}' already exists`);
        }
        await this.repository.insertOrganisation(tx, organisation);
        await this.audit.append(
          tx,
          `organisation:${organisation.id}`,
          auditActor(principal),
          'organisation.created',
          {
            name,
          },
        );
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AppError('CONFLICT', `an organisation named '${name}' already exists`);
      throw error;
    }
    return organisation;
  }

  listOrganisations(): Promise<OrganisationEntity[]> {
    return this.repository.listOrganisations();
  }

  async createUser(
    principal: Principal,
    input: { name: string; email: string; organisationId: string; roles: Role[] },
  ): Promise<UserEntity> {
    const user: UserEntity = {
      id: randomUUID(),
      organisationId: input.organisationId,
      name: input.name,
      email: input.email.toLowerCase(),
      roles: [...new Set(input.roles)],
      createdAt: nowIso(),
    };
    try {
      await this.db.write(async (tx) => {
        if (!(await this.repository.findOrganisation(input.organisationId, tx))) {
          throw AppError.validation([
            { field: 'organisationId', message: `organisation ${input.organisationId} does not exist` },
          ]);
        }
        if (await this.repository.findUserByEmail(user.email, tx)) {
          throw new AppError('CONFLICT', `a user with email ${user.email} already exists`);
        }
        await this.repository.insertUser(tx, user);
        await this.audit.append(
          tx,
          `organisation:${user.organisationId}`,
          auditActor(principal),
          'user.created',
          {
            userId: user.id,
            name: user.name,
            email: user.email,
            roles: user.roles,
          },
        );
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AppError('CONFLICT', `a user with email ${user.email} already exists`);
      throw error;
    }
    return user;
  }

  findOrganisation(id: string): Promise<OrganisationEntity | null> {
    return this.repository.findOrganisation(id);
  }

  findUser(id: string): Promise<UserEntity | null> {
    return this.repository.findUser(id);
  }

  listUsers(): Promise<UserEntity[]> {
    return this.repository.listUsers();
  }

  /** Issues a new token for a user; the token is returned once and only its hash is kept. */
  async createToken(principal: Principal, userId: string): Promise<{ id: string; token: string }> {
    const issued = issueToken();
    await this.db.write(async (tx) => {
      const user = await this.repository.findUser(userId, tx);
      if (!user) throw AppError.notFound('user', userId);
      await this.repository.insertToken(tx, {
        id: issued.id,
        userId,
        secretSha256: issued.secretSha256,
        createdAt: nowIso(),
        revokedAt: null,
      });
      await this.audit.append(
        tx,
        `organisation:${user.organisationId}`,
        auditActor(principal),
        'token.issued',
        {
          userId,
          tokenId: issued.id,
        },
      );
    });
    return { id: issued.id, token: issued.token };
  }

  /** The user's tokens (ids and dates only; secrets are never stored). */
  async listTokens(userId: string): Promise<{ id: string; createdAt: string; revokedAt: string | null }[]> {
    if (!(await this.repository.findUser(userId))) throw AppError.notFound('user', userId);
    return (await this.repository.listTokens(userId)).map(({ id, createdAt, revokedAt }) => ({
      id,
      createdAt,
      revokedAt,
    }));
  }

  /**
   * Revokes a token: from now on it authenticates nobody (on other instances within a minute,
   * the time they keep a token's owner in memory).
   */
  async revokeToken(principal: Principal, userId: string, tokenId: string): Promise<void> {
    const user = await this.repository.findUser(userId);
    const token = await this.repository.findToken(tokenId);
    if (!user || !token || token.userId !== userId) throw AppError.notFound('token', tokenId);
    if (token.revokedAt) return;
    await this.db.write(async (tx) => {
      if (!(await this.repository.revokeToken(tx, tokenId, nowIso()))) return;
      await this.audit.append(
        tx,
        `organisation:${user.organisationId}`,
        auditActor(principal),
        'token.revoked',
        {
          userId,
          tokenId,
        },
      );
    });
    this.repository.forgetToken(tokenId);
  }

  /**
   * On the first start with an empty database: creates the administrators' organisation, an
   * admin user and a token, and writes the token to `DATA_DIR/admin-token` (mode 0600). The file
   * is written before the commit and removed again if the commit fails, so a token in the file
   * always works. The token itself is never logged.
   */
  async bootstrapAdmin(): Promise<void> {
    if ((await this.repository.countUsers()) > 0) return;
    const file = join(this.config.dataDir, ADMIN_TOKEN_FILE);
    const issued = issueToken();
    const now = nowIso();
    const organisation: OrganisationEntity = { id: randomUUID(), name: 'Administrators', createdAt: now };
    const user: UserEntity = {
      id: randomUUID(),
      organisationId: organisation.id,
      name: 'Administrator',
      email: 'admin@certflow.invalid',
      roles: ['admin'],
      createdAt: now,
    };
    writeSecretFile(file, `${issued.token}\n`);
    try {
      const created = await this.db.write(async (tx) => {
        if ((await this.repository.countUsers(tx)) > 0) return false;
        await this.repository.insertOrganisation(tx, organisation);
        await this.repository.insertUser(tx, user);
        await this.repository.insertToken(tx, {
          id: issued.id,
          userId: user.id,
          secretSha256: issued.secretSha256,
          createdAt: now,
          revokedAt: null,
        });
        const actor = { id: user.id, name: user.name, role: 'admin', org: organisation.id };
        await this.audit.append(tx, `organisation:${organisation.id}`, actor, 'installation.bootstrapped', {
          userId: user.id,
          tokenId: issued.id,
        });
        return true;
      });
      if (!created) {
        rmSync(file, { force: true });
        return;
      }
    } catch (error) {
      rmSync(file, { force: true });
      // Another instance bootstrapped the same database at the same moment.
      if (isUniqueViolation(error)) return;
      throw error;
    }
    this.logger.log(`first start: an admin token was written to ${file} (readable only by this user)`);
  }
}

/** Writes a file only its owner can read, atomically (temporary file, then rename). */
function writeSecretFile(file: string, content: string): void {
  mkdirSync(join(file, '..'), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, content, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}
