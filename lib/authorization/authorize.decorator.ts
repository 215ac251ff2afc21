import { applyDecorators, SetMetadata } from '@nestjs/common';
import { AUTHORIZE_KEY } from './authorization.constants.js';
import type { AuthorizationPredicate } from './authorization-predicate.js';
import { useAuthorizationGuard } from './use-authorization-guard.js';

/**
 * The predicate form of `@Roles()`/`@Permissions()`, for any rule on the token's claims:
 * `@Authorize((user) => user.tenant === 'acme' || user.roles?.includes('support'))`. A missing or invalid token is a
 * 401, `false` a 403; a predicate that throws answers with that error. On a handler it replaces the controller's.
 */
export const Authorize = (predicate: AuthorizationPredicate): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(AUTHORIZE_KEY, predicate), useAuthorizationGuard());
