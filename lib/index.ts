// The public surface of nestjs-dual-token-auth. Anything not exported here is internal and may change.
export { DualTokenAuthModule } from './dual-token-auth.module.js';
export { DUAL_TOKEN_AUTH_OPTIONS } from './dual-token-auth.module-definition.js';
export { IS_PUBLIC_KEY, REQUEST_USER_PROPERTY, REQUEST_ACCESS_TOKEN_PROPERTY } from './dual-token-auth.constants.js';

export type {
  DualTokenAuthOptions,
  DualTokenAuthRegistrationOptions,
  DualTokenAuthMessages,
  TokenKindOptions,
  VerificationKeyOptions,
  JwtAlgorithm,
  KeyMaterial,
  AuthRateLimitOptions,
  RefreshTokenCookieOptions,
} from './interfaces/dual-token-auth-options.interface.js';
export { USER_LOOKUP, type UserLookup } from './interfaces/user-lookup.interface.js';
export type { PasswordHasher } from './interfaces/password-hasher.interface.js';
export type { DualTokenAuthEvent, DualTokenAuthEventListener } from './interfaces/auth-event.interface.js';
export {
  SESSION_STORE,
  type SessionStore,
  type SessionRecord,
  type NewSessionRecord,
  type RotationUpdate,
} from './interfaces/session-store.interface.js';
export {
  ACCESS_TOKEN_TYPE,
  REFRESH_TOKEN_TYPE,
  ACCESS_TOKEN_JOSE_TYPE,
  REFRESH_TOKEN_JOSE_TYPE,
  type AccessTokenClaims,
  type AccessTokenPayload,
  type RefreshTokenPayload,
  type TokenPairResponse,
  type UserId,
} from './interfaces/token-payloads.interface.js';

export { AccessTokenGuard } from './guards/access-token.guard.js';
export { CurrentUser } from './decorators/current-user.decorator.js';
export { extractBearerToken } from './utils/extract-bearer-token.js';
export { Public } from './decorators/public.decorator.js';
export { DualTokenService } from './services/dual-token.service.js';
export { SessionService, type ClientMetadata } from './services/session.service.js';
export type { SessionSummary, TokenResponseBody } from './controllers/create-auth-controller.js';
export { InMemorySessionStore } from './stores/in-memory-session.store.js';

export { InvalidTokenError } from './exceptions/invalid-token.error.js';
export { SessionRejectedError } from './exceptions/session-rejected.error.js';
export { InvalidAuthConfigurationError } from './exceptions/invalid-auth-configuration.error.js';
export { TooManyAuthAttemptsException } from './exceptions/too-many-auth-attempts.exception.js';
export { AuthStoreUnavailableException } from './exceptions/auth-store-unavailable.exception.js';
export type { Duration } from './utils/duration.js';
