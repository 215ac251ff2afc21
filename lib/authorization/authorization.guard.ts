import { type ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { AccessTokenGuard } from '../guards/access-token.guard.js';
import type { AccessTokenPayload } from '../interfaces/token-payloads.interface.js';
import { withGraphqlCode } from '../platform/graphql-error-code.js';
import { setResponseHeader } from '../platform/request-adapter.js';
import { AUTHORIZE_KEY, PERMISSIONS_KEY, RECENT_LOGIN_KEY, ROLES_KEY } from './authorization.constants.js';
import type { AuthorizationPredicate } from './authorization-predicate.js';
import { claimValues } from './claim-values.js';

/** What a handler requires, read once from its decorators. */
interface Requirements {
  roles?: string[];
  permissions?: string[];
  predicate?: AuthorizationPredicate;
  maxAuthAgeSeconds?: number;
}

/**
 * Authentication plus the route's `@Roles()`, `@Permissions()`, `@Authorize()` and `@RequireRecentLogin()`. It is an
 * `AccessTokenGuard` (same token rules, same request lookup on every transport), so a route needs nothing else; under
 * the global guard the token is verified twice, the second time from the verifier's cache. The decorators add it to
 * their routes themselves.
 *
 * A missing or invalid token is a 401; a valid token without the right a 403 `{ statusCode: 403, message, error:
 * 'Forbidden' }`; an `auth_time` older than `@RequireRecentLogin()` allows a 401 with an RFC 9470 challenge. Claims
 * are as fresh as the access token: a role change reaches the token at the next refresh (refresh re-reads the user).
 */
@Injectable()
export class AuthorizationGuard extends AccessTokenGuard {
  private readonly requirementsByHandler = new WeakMap<object, WeakMap<object, Requirements | null>>();

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    await super.canActivate(context);
    const required = this.requirementsOf(context);
    if (!required) return true;
    const user = this.getRequest(context).user as AccessTokenPayload | undefined;
    // `@Public()` or `@OptionalAuth()` let the request through without a token, but these decorators need a user.
    if (!user) throw this.unauthorized(this.config.messages.notLoggedIn);

    if (required.roles && !this.hasAny(user[this.config.rolesClaim], required.roles)) throw this.deny(context);
    if (required.permissions && !this.hasAll(user[this.config.permissionsClaim], required.permissions)) throw this.deny(context);
    if (required.predicate && (await required.predicate(user, context)) !== true) throw this.deny(context);
    if (required.maxAuthAgeSeconds !== undefined && !this.isRecent(user, required.maxAuthAgeSeconds)) {
      throw this.recentLoginRequired(context, required.maxAuthAgeSeconds);
    }
    return true;
  }

  /** The exception for a valid token without the required right; Nest renders `{ statusCode: 403, message, error }`. */
  protected forbidden(): Error {
    return new ForbiddenException(this.config.messages.forbidden);
  }

  /**
   * The 401 for a login older than the route allows; over HTTP with `WWW-Authenticate` as RFC 9470 §3 defines it, in
   * GraphQL with `extensions.code: 'UNAUTHENTICATED'`.
   */
  protected recentLoginRequired(context: ExecutionContext, maxAgeSeconds: number): Error {
    const type = context.getType<string>();
    if (type === 'http') {
      const challenge = `Bearer error="insufficient_user_authentication", max_age=${maxAgeSeconds}`;
      setResponseHeader(context.getArgByIndex(1), 'WWW-Authenticate', challenge);
    }
    const error = this.unauthorized(this.config.messages.recentLoginRequired);
    if (type === 'graphql') withGraphqlCode(error, 'UNAUTHENTICATED');
    return error;
  }

  /** {@link forbidden}, with `extensions.code: 'FORBIDDEN'` in GraphQL. */
  private deny(context: ExecutionContext): Error {
    const error = this.forbidden();
    if (context.getType<string>() === 'graphql') withGraphqlCode(error, 'FORBIDDEN');
    return error;
  }

  private hasAny(claim: unknown, roles: string[]): boolean {
    const held = claimValues(claim);
    return roles.some((role) => held.has(role));
  }

  private hasAll(claim: unknown, permissions: string[]): boolean {
    const held = claimValues(claim);
    return permissions.every((permission) => held.has(permission));
  }

  private isRecent(user: AccessTokenPayload, maxAgeSeconds: number): boolean {
    // A token without auth_time (a session older than the claim) cannot prove a recent login.
    return typeof user.auth_time === 'number' && Date.now() / 1000 - user.auth_time <= maxAgeSeconds;
  }

  /** The handler's requirements (handler decorators override the class's); cached, decorators are fixed at startup. */
  private requirementsOf(context: ExecutionContext): Requirements | null {
    const controller = context.getClass();
    const handler = context.getHandler();
    let byHandler = this.requirementsByHandler.get(controller);
    if (!byHandler) this.requirementsByHandler.set(controller, (byHandler = new WeakMap()));
    let required = byHandler.get(handler);
    if (required === undefined) {
      const read = <T>(key: string) => this.reflector.getAllAndOverride<T | undefined>(key, [handler, controller]);
      const found: Requirements = {
        roles: read<string[]>(ROLES_KEY),
        permissions: read<string[]>(PERMISSIONS_KEY),
        predicate: read<AuthorizationPredicate>(AUTHORIZE_KEY),
        maxAuthAgeSeconds: read<number>(RECENT_LOGIN_KEY),
      };
      required = Object.values(found).some((value) => value !== undefined) ? found : null;
      byHandler.set(handler, required);
    }
    return required;
  }
}
