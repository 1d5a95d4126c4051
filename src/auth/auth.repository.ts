import { Injectable } from '@nestjs/common';
import { IsNull, type EntityManager } from 'typeorm';
import { RowCache } from '../common/row-cache.js';
import { Database } from '../database/database.js';
import { OrganisationEntity, TokenEntity, UserEntity } from './auth.entity.js';

export interface TokenWithOwner {
  token: TokenEntity;
  user: UserEntity;
  organisation: OrganisationEntity;
}

@Injectable()
export class AuthRepository {
  /**
   * A token's owner, once read, is answered from memory: users and organisations are never
   * updated; a token can be revoked, which drops it here at once and on other instances within
   * a minute.
   */
  private readonly owners = new RowCache<TokenWithOwner>(10_000, 60_000);

  constructor(private readonly db: Database) {}

  async countUsers(em: EntityManager = this.db.reader): Promise<number> {
    return em.getRepository(UserEntity).count();
  }

  async insertOrganisation(tx: EntityManager, organisation: OrganisationEntity): Promise<void> {
    await tx.getRepository(OrganisationEntity).insert(organisation);
  }

  async findOrganisation(id: string, em: EntityManager = this.db.reader): Promise<OrganisationEntity | null> {
    return em.getRepository(OrganisationEntity).findOneBy({ id });
  }

  async findOrganisationByName(
    name: string,
    em: EntityManager = this.db.reader,
  ): Promise<OrganisationEntity | null> {
    return em.getRepository(OrganisationEntity).findOneBy({ name });
  }

  async listOrganisations(): Promise<OrganisationEntity[]> {
    return this.db.reader.getRepository(OrganisationEntity).find({ order: { name: 'ASC' } });
  }

  async insertUser(tx: EntityManager, user: UserEntity): Promise<void> {
    await tx.getRepository(UserEntity).insert(user);
  }

  async findUser(id: string, em: EntityManager = this.db.reader): Promise<UserEntity | null> {
    return em.getRepository(UserEntity).findOneBy({ id });
  }

  async findUserByEmail(email: string, em: EntityManager = this.db.reader): Promise<UserEntity | null> {
    return em.getRepository(UserEntity).findOneBy({ email });
  }

  async listUsers(): Promise<UserEntity[]> {
    return this.db.reader.getRepository(UserEntity).find({ order: { email: 'ASC' } });
  }

  async findToken(id: string, em: EntityManager = this.db.reader): Promise<TokenEntity | null> {
    return em.getRepository(TokenEntity).findOneBy({ id });
  }

  async listTokens(userId: string): Promise<TokenEntity[]> {
    return this.db.reader
      .getRepository(TokenEntity)
      .find({ where: { userId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** Marks a token revoked (once); false when it was already. */
  async revokeToken(tx: EntityManager, id: string, at: string): Promise<boolean> {
    const result = await tx.getRepository(TokenEntity).update({ id, revokedAt: IsNull() }, { revokedAt: at });
    this.owners.delete(id);
    return (result.affected ?? 0) === 1;
  }

  /** Forgets a cached token owner (after the token changed). */
  forgetToken(id: string): void {
    this.owners.delete(id);
  }

  async insertToken(tx: EntityManager, token: TokenEntity): Promise<void> {
    await tx.getRepository(TokenEntity).insert(token);
  }

  /** The token row with its user and the user's organisation, or null. */
  async findTokenWithOwner(id: string): Promise<TokenWithOwner | null> {
    return this.owners.through(id, async () => {
      const token = await this.db.reader.getRepository(TokenEntity).findOneBy({ id });
      if (!token) return null;
      const user = await this.findUser(token.userId);
      if (!user) return null;
      const organisation = await this.findOrganisation(user.organisationId);
      return organisation ? { token, user, organisation } : null;
    });
  }
}
