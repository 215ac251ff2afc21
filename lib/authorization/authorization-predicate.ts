import type { ExecutionContext } from '@nestjs/common';
import type { AccessTokenPayload } from '../interfaces/token-payloads.interface.js';

/** Decides whether the verified user may use a route (`@Authorize()`); `false` is a 403. */
export type AuthorizationPredicate = (user: AccessTokenPayload, context: ExecutionContext) => boolean | Promise<boolean>;
