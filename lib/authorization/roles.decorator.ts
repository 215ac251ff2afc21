import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ROLES_KEY } from './authorization.constants.js';
import { useAuthorizationGuard } from './use-authorization-guard.js';

/**
 * Lets a request through only when the access token's roles claim (`rolesClaim`, default `roles`) holds **any** of
 * these roles: a missing or invalid token is a 401, a valid one without the role a 403. On a handler it replaces the
 * controller's `@Roles()`. Adds `AuthorizationGuard` to the route, so it works with or without the global guard.
 */
export const Roles = (...roles: string[]): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(ROLES_KEY, roles), useAuthorizationGuard());
