import { createParamDecorator, type ExecutionContext, type PipeTransform, type Type } from '@nestjs/common';
import { REQUEST_USER_PROPERTY } from '../dual-token-auth.constants.js';
import type { AccessTokenPayload } from '../interfaces/token-payloads.interface.js';
import { requestOf } from '../platform/execution-context-request.js';

/**
 * The verified access-token payload of the current request (`userId`, `username`, `sub`, `sid`, ...), or one of its
 * properties: `@CurrentUser() user`, `@CurrentUser('username') username`. Requires `AccessTokenGuard` on the route.
 * Works in controllers, GraphQL resolvers (queries, mutations, field resolvers, subscriptions) and WebSocket gateways.
 */
// Typed explicitly: the inferred type names a Nest 12-only type, which would break NestJS 11 users' declaration files.
export const CurrentUser: (
  property?: keyof AccessTokenPayload,
  ...pipes: (Type<PipeTransform> | PipeTransform)[]
) => ParameterDecorator = createParamDecorator(
  (property: keyof AccessTokenPayload | undefined, context: ExecutionContext) => {
    const user = requestOf(context)[REQUEST_USER_PROPERTY] as AccessTokenPayload | undefined;
    return property ? user?.[property] : user;
  },
);
