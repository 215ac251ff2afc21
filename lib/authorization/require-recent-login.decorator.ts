import { applyDecorators, SetMetadata } from '@nestjs/common';
import { durationToMs } from '../config/duration.js';
import type { Duration } from '../interfaces/dual-token-auth-options.interface.js';
import { RECENT_LOGIN_KEY } from './authorization.constants.js';
import { useAuthorizationGuard } from './use-authorization-guard.js';

/**
 * Step-up: lets a request through only when the user proved the password (login or `POST <prefix>/reauthenticate`)
 * at most `maxAge` ago (seconds, or `'5m'`), judged by the token's `auth_time`. Otherwise the answer is 401 with
 * `WWW-Authenticate: Bearer error="insufficient_user_authentication", max_age=<seconds>` (RFC 9470), which tells the
 * client to ask for the password again rather than to refresh.
 */
export const RequireRecentLogin = (maxAge: Duration): MethodDecorator & ClassDecorator => {
  // Parsed when the class is declared, so a typo stops the app at startup rather than failing requests.
  const maxAgeSeconds = Math.floor(durationToMs(maxAge, 'RequireRecentLogin maxAge') / 1000);
  return applyDecorators(SetMetadata(RECENT_LOGIN_KEY, maxAgeSeconds), useAuthorizationGuard());
};
