import { SetMetadata } from '@nestjs/common';
import { IS_OPTIONAL_AUTH_KEY } from '../dual-token-auth.constants.js';

/**
 * Makes the token optional on a route or controller guarded by `AccessTokenGuard` (global or `@UseGuards`): without an
 * `Authorization` header the request passes and `@CurrentUser()` is `undefined`; with one, the token must be valid
 * (an invalid or expired token is still a 401, so clients refresh instead of silently losing their identity).
 */
export const OptionalAuth = (): MethodDecorator & ClassDecorator => SetMetadata(IS_OPTIONAL_AUTH_KEY, true);
