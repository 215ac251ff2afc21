import { SetMetadata } from '@nestjs/common';
import { IS_PUBLIC_KEY } from '../dual-token-auth.constants.js';

/** Lets a route or controller through `AccessTokenGuard` without a token (for use with the global guard). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);
