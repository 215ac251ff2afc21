import { createParamDecorator, type ExecutionContext, type PipeTransform, type Type } from '@nestjs/common';
import { REQUEST_USER_PROPERTY } from '../dual-token-auth.constants.js';
import type { AccessTokenPayload } from '../interfaces/token-payloads.interface.js';

/**
 * The verified access-token payload of the current request (`userId`, `username`, `sub`, `sid`, ...), or one of its
 * properties: `@CurrentUser() user`, `@CurrentUser('username') username`. Requires `AccessTokenGuard` on the route.
 */
// Typed explicitly: the inferred type names a Nest 12-only type, which would break NestJS 11 users' declaration files.
export const CurrentUser: (
  property?: keyof AccessTokenPayload,
  ...pipes: (Type<PipeTransform> | PipeTransform)[]
) => ParameterDecorator = createParamDecorator(
  (property: keyof AccessTokenPayload | undefined, context: ExecutionContext) => {
    const request = context.switchToHttp().getRequest<Record<string, unknown>>();
    const user = request[REQUEST_USER_PROPERTY] as AccessTokenPayload | undefined;
    return property ? user?.[property] : user;
  },
);
