import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
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
   * admin user and a token, and writes the token to `DATA_DIR/admin-token` (mode 0600). The
   * token is first written to a file of this instance's own and moved into place only after the
   * commit, so an instance that loses a race to bootstrap never touches the winner's file. The
   * token itself is never logged.
   */
  async bootstrapAdmin(): Promise<void> {
    if ((await this.repository.countUsers()) > 0) return;
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
    const staged = stageSecretFile(this.config.dataDir, ADMIN_TOKEN_FILE, `${issued.token}\n`);
    let created = false;
    try {
      created = await this.db.write(async (tx) => {
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
    } catch (error) {
      // Another instance bootstrapped the same database at the same moment.
      if (!isUniqueViolation(error)) {
        staged.discard();
        throw error;
      }
    }
    if (!created) return staged.discard();
    this.logger.log(
      `first start: an admin token was written to ${staged.place()} (readable only by this user)`,
    );
  }

  /**
   * Issues a new token for the first admin and writes it to `DATA_DIR/admin-token`: the way back
   * in when the admin token was lost (`npm run admin-token`, run where DATA_DIR is).
   */
  async reissueAdminToken(): Promise<string> {
    const admin = (await this.repository.listUsers()).find((u) => u.roles.includes('admin'));
    if (!admin) throw new Error('there is no admin user yet: start the service once to create one');
    const issued = issueToken();
    const staged = stageSecretFile(this.config.dataDir, ADMIN_TOKEN_FILE, `${issued.token}\n`);
    try {
      await this.db.write(async (tx) => {
        await this.repository.insertToken(tx, {
          id: issued.id,
          userId: admin.id,
          secretSha256: issued.secretSha256,
          createdAt: nowIso(),
          revokedAt: null,
        });
        const actor = { id: admin.id, name: admin.name, role: 'admin', org: admin.organisationId };
        await this.audit.append(tx, `organisation:${admin.organisationId}`, actor, 'token.reissued', {
          userId: admin.id,
          tokenId: issued.id,
          by: 'operator with access to DATA_DIR',
        });
      });
    } catch (error) {
      staged.discard();
      throw error;
    }
    return staged.place();
  }
}

/**
 * A secret written to a temporary file of this process (owner-only, fsynced), to be moved to its
 * place (`place`, which also syncs the folder) or removed (`discard`).
 */
function stageSecretFile(
  dir: string,
  name: string,
  content: string,
): { place: () => string; discard: () => void } {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return {
    place: () => {
      renameSync(temporary, file);
      const dirFd = openSync(dir, 'r');
      try {
        fsyncSync(dirFd);
      } finally {
        closeSync(dirFd);
      }
      return file;
    },
    discard: () => rmSync(temporary, { force: true }),
  };
}
