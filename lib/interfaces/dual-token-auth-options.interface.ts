import type { KeyObject } from 'node:crypto';
import type { DualTokenAuthEventListener } from './auth-event.interface.js';
import type { RateLimitStore } from './rate-limit-store.interface.js';
import type { SessionRevocationBus } from './session-revocation-bus.interface.js';
import type { SessionStore } from './session-store.interface.js';
import type { UserLookup } from './user-lookup.interface.js';

/**
 * A duration as used by every lifetime option: a number of **seconds**, or a string such as `'2s'`, `'30m'`, `'12h'`,
 * `'7d'` (units: `ms`, `s`, `m`, `h`, `d`, `w`). A bare numeric string is read as seconds, like `jsonwebtoken` does.
 */
export type Duration = number | string;

/** Signature algorithms the library signs and verifies with. `none` is never accepted. */
export type JwtAlgorithm =
  | 'HS256'
  | 'HS384'
  | 'HS512'
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA';

/** Key material: a string or Buffer (PEM for asymmetric keys) or a `KeyObject`. */
export type KeyMaterial = string | Buffer | KeyObject;

/** A key accepted for verification only, e.g. the previous key during a key rotation. */
export interface VerificationKeyOptions {
  /** Key id; tokens whose header `kid` equals it are verified with this key. */
  keyId: string;
  /** HMAC secret, for HS* algorithms. */
  secret?: KeyMaterial;
  /** Public key (PEM, or KeyObject), for RS/PS/ES/EdDSA algorithms. */
  publicKey?: KeyMaterial;
}

/** Keys and lifetime of one token kind (access or refresh). */
export interface TokenKindOptions {
  /** HMAC secret for HS* algorithms; at least 32 bytes is recommended. Give either this or `privateKey`. */
  secret?: KeyMaterial;
  /** Private key (PEM or KeyObject) for RS/PS/ES/EdDSA signing. */
  privateKey?: KeyMaterial;
  /** Public key matching `privateKey`; derived from it when omitted. */
  publicKey?: KeyMaterial;
  /** Signature algorithm of this kind; overrides the top-level `algorithm`. @default the top-level `algorithm` */
  algorithm?: JwtAlgorithm;
  /** Key id written to the `kid` header of new tokens, so keys can be rotated. @default none (no `kid` header) */
  keyId?: string;
  /** Further keys accepted for verification (matched by `kid`), e.g. the previous key while rotating. @default [] */
  additionalVerificationKeys?: VerificationKeyOptions[];
  /**
   * Lifetime: a number of seconds or a string like `'30m'`, `'7d'`. JWT times are whole seconds (`iat` is rounded down),
   * so a token stays valid for between this lifetime minus one second and this lifetime.
   * @default '30m' for access tokens, '7d' for refresh tokens (for refresh tokens this is an idle timeout renewed by rotation)
   */
  expiresIn?: Duration;
}

/**
 * Brute-force limits of login and refresh, counted in the `rateLimitStore` (per process by default). Every login
 * attempt reserves a point on each login limit *before* the password is checked and gets it back when it succeeds, so
 * parallel attempts can never get more than a limit's worth of guesses checked. "IP" below means the client key: the
 * client address (see `trustProxy`), IPv6 grouped by `ipv6PrefixLength`, or what `clientKey` returns.
 */
export interface AuthRateLimitOptions {
  /** Failed logins for one username from one IP before 429, per window. @default 10 */
  maxFailuresPerUsernameAndIp?: number;
  /** Failed logins from one IP, all usernames together, before 429, per window. @default 100 */
  maxFailuresPerIp?: number;
  /** Failed logins for one username from all IPs before 429, per window (high: it can lock the account). @default 1000 */
  maxFailuresPerUsername?: number;
  /** Window over which failed logins are counted, in seconds. @default 900 */
  failureWindowSeconds?: number;
  /** Refresh requests per IP per minute (successful or not). @default 600 */
  maxRefreshesPerIpPerMinute?: number;
  /**
   * IPv6 clients are counted by network: all addresses sharing this many leading bits share one budget, since a
   * subscriber usually owns a whole /64 (or /56, /48) and could otherwise rotate addresses for fresh budgets. A number
   * of bits from 1 to 128; IPv4 addresses always count alone. @default 64
   */
  ipv6PrefixLength?: number;
  /**
   * Overrides the client key of the per-IP limits, e.g. an API key or a tenant id: called with the Express or Fastify
   * request; a non-empty string replaces the address, `undefined`/`null` falls back to it. @default none (the address)
   */
  clientKey?: (request: any) => string | null | undefined | Promise<string | null | undefined>;
}

/**
 * Which reverse proxies in front of the app may name the client in `X-Forwarded-For`: a hop count (`1`: the nearest
 * proxy only, e.g. one load balancer), or the proxies' addresses/CIDR ranges (`'10.0.0.1'`, `['10.0.0.0/8', '::1']`,
 * comma-separated in one string, or `'loopback'`/`'linklocal'`/`'uniquelocal'`), with the same meaning as Express's
 * `trust proxy` and Fastify's `trustProxy` (both evaluate it with the `proxy-addr` package, as this library does).
 * A string of digits is a hop count, for environment variables. `true` ("trust everything") is refused: then anyone
 * can pick the address their limits are counted on.
 */
export type TrustProxy = number | string | string[] | false;

/**
 * Carry the refresh token in an `HttpOnly` cookie instead of the response body, so page scripts (and XSS) cannot read
 * it. Cookie-carried refresh and logout requests must send the CSRF header, which a cross-site form cannot send and a
 * cross-origin script can only send if your CORS policy allows that origin with credentials.
 */
export interface RefreshTokenCookieOptions {
  /** Cookie name. @default 'refresh_token' */
  name?: string;
  /** Cookie path; the cookie is sent only to the auth routes. @default '/<routePrefix>' */
  path?: string;
  /** `SameSite` attribute. @default 'strict' */
  sameSite?: 'strict' | 'lax' | 'none';
  /** `Secure` attribute (HTTPS only). Turn off only for plain-HTTP local development. @default true */
  secure?: boolean;
  /** `Domain` attribute. @default none (host-only cookie) */
  domain?: string;
  /** Header that cookie-carried refresh/logout requests must send (any non-empty value). @default 'x-csrf-protection' */
  csrfHeaderName?: string;
  /** Also return the refresh token in the JSON body (weakens the point of the cookie). @default false */
  includeInBody?: boolean;
}

/** Texts of the 401 and 403 responses (e.g. to translate them). */
export interface DualTokenAuthMessages {
  /** No (usable) `Authorization: Bearer` header. @default 'Not logged in' */
  notLoggedIn: string;
  /** Token present but invalid, expired, revoked or of the wrong kind. @default 'Token is invalid or expired, please log in again' */
  tokenInvalid: string;
  /** Login failed; the same text for an unknown user and a wrong password. @default 'Invalid username or password' */
  invalidCredentials: string;
  /** 403 body of a valid token without the role, permission or predicate a route requires. @default 'You are not allowed to do this' */
  forbidden: string;
  /** 401 body of a route whose `@RequireRecentLogin()` the token's `auth_time` is too old for. @default 'Please confirm your password to continue' */
  recentLoginRequired: string;
}

/**
 * Options that may come from a factory (`forRootAsync`), e.g. out of `ConfigService`. Settings that shape the module
 * itself (routes, global guard, `isGlobal`) are in {@link DualTokenAuthRegistrationOptions} instead.
 */
export interface DualTokenAuthOptions {
  /** Access-token keys and lifetime. */
  accessToken: TokenKindOptions;
  /** Refresh-token keys and lifetime. Using the same secret as the access token works (kinds are still typed) but logs a warning. */
  refreshToken: TokenKindOptions;
  /** Your users: credential check, lookup by id, and the access-token claims. */
  userLookup: UserLookup<any>;
  /** Where sessions (refresh-token families) live. @default a new `InMemorySessionStore` (lost on restart; warns in production) */
  sessionStore?: SessionStore;
  /** Signature algorithm pinned for signing and verification. @default 'HS256' */
  algorithm?: JwtAlgorithm;
  /** `iss` claim written to and required from every token. @default none */
  issuer?: string;
  /** `aud` claim written to and required from every token. @default none */
  audience?: string | string[];
  /** Allowed clock skew when checking `exp`/`nbf`, in seconds (at most 300). @default 0 */
  clockToleranceSeconds?: number;
  /**
   * Seconds during which the immediately previous refresh token is still accepted after a rotation (concurrent tabs,
   * lost responses). It yields the same family's current tokens and never extends the session. 0 disables it; at most
   * 300. Clients must retry a lost refresh answer within this window (the
   * bundled client retries within a few seconds).
   * @default 10
   */
  reuseGraceSeconds?: number;
  /** Absolute session lifetime, fixed at login and never extended by rotation (seconds or `'30d'`). @default '30d' */
  sessionMaxAge?: Duration;
  /**
   * Make the guard reject access tokens whose session was revoked (logout means logout). Costs one session lookup per
   * session per `revocationCheckCacheSeconds` per process, not one per request.
   * @default false
   */
  rejectRevokedAccessTokens?: boolean;
  /** Staleness bound of the revocation check: how long a session's "still active" answer is cached, in seconds. @default 5 */
  revocationCheckCacheSeconds?: number;
  /**
   * How many sessions' "still active" answers the revocation check keeps per process (oldest out first). Size it above
   * the number of sessions active within `revocationCheckCacheSeconds`: beyond it, answers still in use are evicted and
   * looked up again (one store lookup per request in the worst case). Each answer takes about 200 bytes.
   * @default 10000
   */
  revocationCheckCacheMaxSessions?: number;
  /**
   * Pushes revocations to the other instances so they take effect everywhere at once (e.g. `RedisSessionRevocationBus`
   * from `nestjs-dual-token-auth/redis`); the cache expiry above stays the fallback for lost messages.
   * @default a `LocalSessionRevocationBus` (no push: other instances see a revocation within `revocationCheckCacheSeconds`)
   */
  sessionRevocationBus?: SessionRevocationBus;
  /**
   * What the revocation check (`rejectRevokedAccessTokens`) does while the session store cannot be reached: `'open'`
   * accepts a valid access token (the last answer seen for its session wins, so a session known to be revoked stays
   * refused) and logs a warning; `'closed'` answers guarded routes with 503 until the store is back.
   * @default 'open'
   */
  revocationCheckFailure?: 'open' | 'closed';
  /**
   * Most live sessions one user may have. A login beyond it revokes that user's least recently used sessions (reason
   * `'session-limit'`, each reported as a `session.revoked` event), as Auth0 does per user and application. `false`
   * for no limit.
   * @default 200
   */
  maxSessionsPerUser?: number | false;
  /**
   * Brute-force protection for login (failed attempts per username+IP, per IP, per username) and refresh (per IP);
   * over a limit the answer is 429 with `Retry-After`. `false` turns it off (for tests).
   * @default the defaults of {@link AuthRateLimitOptions}
   */
  rateLimit?: AuthRateLimitOptions | false;
  /**
   * Where the rate-limit counters live (see {@link RateLimitStore}); a shared store makes the limits hold across instances.
   * @default a new `InMemoryRateLimitStore` (per process)
   */
  rateLimitStore?: RateLimitStore;
  /**
   * Reverse proxies trusted to report the client address in `X-Forwarded-For` (see {@link TrustProxy}). The address is
   * what limits count on and what sessions and events record; without this, the address is the TCP peer's and the
   * header is ignored, so behind a proxy every client would share the proxy's budget.
   * @default false (trust no proxy)
   */
  trustProxy?: TrustProxy;
  /** Carry the refresh token in an HttpOnly cookie (see {@link RefreshTokenCookieOptions}). @default false (JSON body) */
  refreshTokenCookie?: RefreshTokenCookieOptions | boolean;
  /**
   * Access-token claim holding the user's roles, read by `@Roles()`: an array of strings (or one space-separated
   * string), as `UserLookup.toAccessTokenClaims` returns it.
   * @default 'roles'
   */
  rolesClaim?: string;
  /**
   * Access-token claim holding the user's permissions, read by `@Permissions()`: an array of strings (or one
   * space-separated string, like OAuth's `scope`).
   * @default 'permissions'
   */
  permissionsClaim?: string;
  /** Audit hook called for every {@link DualTokenAuthEvent}; not awaited, its errors are logged. @default none */
  onEvent?: DualTokenAuthEventListener;
  /** Texts of the 401 and 403 responses. @default English messages, see {@link DualTokenAuthMessages} */
  messages?: Partial<DualTokenAuthMessages>;
  /**
   * Production mode: refuses weak configurations that development only warns about.
   * @default process.env.NODE_ENV === 'production'
   */
  production?: boolean;
}

/**
 * Settings needed while the module is being built (they decide which routes and providers exist), so they are given
 * next to `useFactory`/`useClass`, never returned by the factory.
 */
export interface DualTokenAuthRegistrationOptions {
  /** Register the module globally so every module can use the guard and `DualTokenService`. @default false */
  isGlobal?: boolean;
  /** Path prefix of the login/refresh/logout/session routes. @default 'user' */
  routePrefix?: string;
  /** Register the built-in controller; turn off to mount your own routes on `DualTokenService`/`SessionService`. @default true */
  registerController?: boolean;
  /** Register `AccessTokenGuard` as a global guard; opt routes out with `@Public()`. @default false */
  globalGuard?: boolean;
  /**
   * Also accept `GET <prefix>/refresh?refresh_token=...` (for clients that cannot send a body). Off by default: URLs end up in
   * proxy logs, browser history and Referer headers, so a refresh token in a query string can leak.
   * @default false
   */
  allowRefreshTokenInQuery?: boolean;
  /**
   * Serve the access-token verification keys as a JWKS document at this path (e.g. `'.well-known/jwks.json'`) so other
   * services can verify access tokens. Only for asymmetric algorithms; HMAC secrets are never published.
   * @default false
   */
  jwksPath?: string | false;
  /**
   * Give every request an own `user` property (`undefined`) before the guard runs, so the guard fills an existing
   * property instead of adding one: on Express it is set before Express handles the request (Express leaves each
   * request object with a V8 hidden class of its own, which makes adding a property per request expensive;
   * bench/README.md has the measurement), on Fastify it is a request decorator (`decorateRequest('user')`, skipped when
   * something already declared `user`), which keeps all requests of one shape, as Fastify asks. The only visible effect
   * is that `'user' in request` is true (value `undefined`) on unauthenticated requests too; turn it off if your code
   * relies on that being false.
   * @default true
   */
  reserveRequestUserProperty?: boolean;
}

/**
 * A class that supplies the options, for `forRootAsync({ useClass })` or `forRootAsync({ useExisting })`, like
 * `JwtOptionsFactory` in `@nestjs/jwt`.
 */
export interface DualTokenAuthOptionsFactory {
  createDualTokenAuthOptions(): DualTokenAuthOptions | Promise<DualTokenAuthOptions>;
}
