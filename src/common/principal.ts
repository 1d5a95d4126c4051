import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Role } from '../auth/auth.entity.js';
import type { AuditActor } from '../audit/audit-chain.js';

/** The authenticated caller of a request. */
export interface Principal {
  userId: string;
  name: string;
  email: string;
  organisationId: string;
  organisationName: string;
  roles: Role[];
  /** The role this request acts in: the first of the caller's roles the endpoint allows. */
  actingRole: Role;
}

export function hasRole(principal: Principal, ...roles: Role[]): boolean {
  return principal.roles.some((r) => roles.includes(r));
}

export function auditActor(principal: Principal): AuditActor {
  return {
    id: principal.userId,
    name: principal.name,
    role: principal.actingRole,
    org: principal.organisationId,
  };
}

export const PUBLIC_KEY = 'certflow:public';
export const ROLES_KEY = 'certflow:roles';

/** The endpoint needs no token. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_KEY, true);

/** Roles that may call the endpoint (admin always may). Without it any authenticated role may. */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, roles);

export interface AuthenticatedRequest extends Request {
  principal?: Principal;
}

/** The caller, as resolved by the auth guard. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a public endpoint');
  return principal;
});
