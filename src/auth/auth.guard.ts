import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError } from '../common/app-error.js';
import { PUBLIC_KEY, ROLES_KEY, type AuthenticatedRequest } from '../common/principal.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import type { Role } from './auth.entity.js';
import { AuthService } from './auth.service.js';
import { FailureLimiter } from './failure-limiter.js';

/**
 * Authenticates every request that is not `@Public()` and checks `@Roles()`. No token or a wrong
 * one answers 401; a role the endpoint does not allow answers 403. Admins may call everything.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly limiter: FailureLimiter;

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.limiter = new FailureLimiter(config.authFailuresPerMinute);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const client = request.ip ?? request.socket.remoteAddress ?? 'unknown';
    const wait = this.limiter.retryAfter(client);
    if (wait > 0) {
      throw new AppError(
        'TOO_MANY_REQUESTS',
        'Too many failed authentications from this address; try again later.',
        {},
        {
          'Retry-After': String(wait),
        },
      );
    }

    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    const caller = match ? await this.auth.authenticate(match[1]) : undefined;
    if (!caller) {
      if (header) this.limiter.recordFailure(client);
      throw new AppError(
        'UNAUTHENTICATED',
        header ? 'The bearer token is not valid.' : 'Send Authorization: Bearer <token>.',
        {},
        { 'WWW-Authenticate': 'Bearer realm="certflow"' },
      );
    }

    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    const actingRole = allowed
      ? (caller.roles.find((r) => allowed.includes(r)) ??
        (caller.roles.includes('admin') ? 'admin' : undefined))
      : caller.roles[0];
    if (!actingRole) {
      throw new AppError(
        'FORBIDDEN_ROLE',
        `This needs one of the roles ${allowed?.join(', ')}; you have ${caller.roles.join(', ')}.`,
        { requiredRoles: allowed },
      );
    }
    request.principal = { ...caller, actingRole };
    return true;
  }
}
