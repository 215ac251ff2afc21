import { applyDecorators, SetMetadata } from '@nestjs/common';
import { PERMISSIONS_KEY } from './authorization.constants.js';
import { useAuthorizationGuard } from './use-authorization-guard.js';

/**
 * Lets a request through only when the access token's permissions claim (`permissionsClaim`, default `permissions`)
 * holds **all** of these permissions: a missing or invalid token is a 401, a valid one lacking any of them a 403. On a
 * handler it replaces the controller's `@Permissions()`. Adds `AuthorizationGuard` to the route.
 */
export const Permissions = (...permissions: string[]): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(PERMISSIONS_KEY, permissions), useAuthorizationGuard());
