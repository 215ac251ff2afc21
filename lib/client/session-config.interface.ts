import type { Clock } from './clock.js';
import type { FetchLike } from './fetch-like.interface.js';
import type { JwtExpiryPlugin } from './jwt-expiry.plugin.js';
import type { TokenStorage } from './token-storage.js';

/** Extra headers for the refresh and logout calls, or a function producing them (e.g. reading a CSRF cookie). */
export type HeadersProvider = HeadersInit | (() => HeadersInit | Promise<HeadersInit>);

/** `AuthSessionCoreOptions` with every default applied and every URL resolved; what the session's parts share. */
export interface SessionConfig {
  readonly loginUrl: string;
  readonly refreshUrl: string;
  readonly logoutUrl: string;
  /** `baseUrl` resolved to an absolute URL (against the page in a browser). */
  readonly absoluteBase: string;
  /** Login and refresh endpoints without query, as `origin + pathname`: never intercepted. */
  readonly authEndpoints: readonly string[];
  readonly allowedOrigins: readonly string[];
  readonly storage: TokenStorage;
  readonly clock: Clock;
  readonly cookieMode: boolean;
  readonly refreshHeaders: HeadersProvider | undefined;
  readonly credentials: RequestCredentials;
  readonly refreshTimeoutMs: number;
  readonly leewayMs: number;
  readonly proactive: boolean;
  readonly rawFetch: FetchLike;
  /** The `jwtExpiry` plugin, if one was given. */
  readonly jwtExpiry: JwtExpiryPlugin | undefined;
}
