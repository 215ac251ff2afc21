// The public surface of nestjs-dual-token-auth. Anything not exported here is internal and may change.
export { DualTokenAuthModule } from './dual-token-auth.module.js';
export { DUAL_TOKEN_AUTH_OPTIONS } from './dual-token-auth.module-definition.js';
export { IS_OPTIONAL_AUTH_KEY, IS_PUBLIC_KEY, REQUEST_USER_PROPERTY } from './dual-token-auth.constants.js';

export type {
  AuthRateLimitOptions,
  DualTokenAuthMessages,
  DualTokenAuthOptions,
  DualTokenAuthOptionsFactory,
  DualTokenAuthRegistrationOptions,
  Duration,
  JwtAlgorithm,
  KeyMaterial,
  RefreshTokenCookieOptions,
  TokenKindOptions,
  TrustProxy,
  VerificationKeyOptions,
} from './interfaces/dual-token-auth-options.interface.js';
export {
  RATE_LIMIT_STORE,
  type RateLimitCounter,
  type RateLimitSettings,
  type RateLimitStore,
} from './interfaces/rate-limit-store.interface.js';
export { USER_LOOKUP, type UserLookup } from './interfaces/user-lookup.interface.js';
export type { PasswordHasher } from './interfaces/password-hasher.interface.js';
export type { DualTokenAuthEvent, DualTokenAuthEventListener } from './interfaces/auth-event.interface.js';
export {
  SESSION_STORE,
  type NewSessionRecord,
  type RotationUpdate,
  type SessionRecord,
  type SessionRevocationReason,
  type SessionStore,
} from './interfaces/session-store.interface.js';
export { SESSION_REVOCATION_BUS, type SessionRevocationBus } from './interfaces/session-revocation-bus.interface.js';
export {
  ACCESS_TOKEN_JOSE_TYPE,
  ACCESS_TOKEN_TYPE,
  REFRESH_TOKEN_JOSE_TYPE,
  REFRESH_TOKEN_TYPE,
  type AccessTokenClaims,
  type AccessTokenPayload,
  type RefreshTokenPayload,
  type UserId,
} from './interfaces/token-payloads.interface.js';
export type { TokenPairResponse, TokenResponseBody } from './interfaces/token-response.interface.js';
export type { SessionSummary } from './interfaces/session-summary.interface.js';

export { AccessTokenGuard, type AuthRequest } from './guards/access-token.guard.js';
export { CurrentUser } from './decorators/current-user.decorator.js';
export { Public } from './decorators/public.decorator.js';
export { OptionalAuth } from './decorators/optional-auth.decorator.js';
export { AuthorizationGuard } from './authorization/authorization.guard.js';
export { Roles } from './authorization/roles.decorator.js';
export { Permissions } from './authorization/permissions.decorator.js';
export { Authorize } from './authorization/authorize.decorator.js';
export type { AuthorizationPredicate } from './authorization/authorization-predicate.js';
export { RequireRecentLogin } from './authorization/require-recent-login.decorator.js';
export { AuthValidationPipe, type AuthValidationPipeOptions } from './http/auth-validation.pipe.js';
export { extractBearerToken } from './tokens/bearer-token.js';
export { DualTokenService, type RefreshTokenToSign } from './tokens/dual-token.service.js';
export { SessionService, type ClientMetadata, type RevokeAllSessionsOptions } from './sessions/session.service.js';
export { InMemorySessionStore } from './stores/in-memory-session.store.js';
export { LocalSessionRevocationBus } from './sessions/local-session-revocation.bus.js';
export { InMemoryRateLimitStore } from './rate-limiting/in-memory-rate-limit.store.js';

export { InvalidTokenError, type InvalidTokenReason } from './exceptions/invalid-token.error.js';
export { SessionRejectedError, type SessionRejectionReason } from './exceptions/session-rejected.error.js';
export { InvalidAuthConfigurationError } from './exceptions/invalid-auth-configuration.error.js';
export { TooManyAuthAttemptsException } from './exceptions/too-many-auth-attempts.exception.js';
export { AuthStoreUnavailableException } from './exceptions/auth-store-unavailable.exception.js';
