import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { REQUEST_USER_PROPERTY } from '../dual-token-auth.constants.js';
import type { AccessTokenPayload } from '../interfaces/token-payloads.interface.js';

/**
 * The verified access-token payload of the current request (`userId`, `username`, `sub`, `sid`, ...), or one of its
 * properties: `@CurrentUser() user`, `@CurrentUser('username') username`. Requires `AccessTokenGuard` on the route.
 */
export const CurrentUser = createParamDecorator(
  (property: keyof AccessTokenPayload | undefined, context: ExecutionContext) => {
    const request = context.switchToHttp().getRequest<Record<string, unknown>>();
    const user = request[REQUEST_USER_PROPERTY] as AccessTokenPayload | undefined;
    return property ? user?.[property] : user;
  },
);
