import type { AuthSessionCoreOptions, HeadersProvider } from './auth-session-options.interface.js';
import { systemClock, type Clock } from './clock.js';
import type { FetchLike } from './fetch-like.interface.js';
import { MemoryTokenStorage, type TokenStorage } from './token-storage.js';
import { documentUrl, joinUrl, resolveUrl, withoutQuery } from './url-utils.js';

/** {@link AuthSessionCoreOptions} with every default applied and every URL resolved; what the session's parts share. */
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
}

/** Validates the options and applies the defaults documented on {@link AuthSessionCoreOptions}. */
export function resolveSessionConfig(options: AuthSessionCoreOptions): SessionConfig {
  const { baseUrl } = options ?? {};
  if (typeof baseUrl !== 'string') throw new TypeError('AuthSession: options.baseUrl is required');
  const page = documentUrl();
  const base = resolveUrl(baseUrl || '/', page);
  if (!base) throw new TypeError(`AuthSession: baseUrl "${baseUrl}" must be an absolute URL outside a browser`);
  const absoluteBase = base.href;
  const prefix = (options.pathPrefix ?? 'user').replace(/^\/+|\/+$/g, '');
  const endpoint = (explicit: string | undefined, name: string): string => joinUrl(baseUrl, explicit ?? (prefix ? `${prefix}/${name}` : name));
  const loginUrl = endpoint(options.loginUrl, 'login');
  const refreshUrl = endpoint(options.refreshUrl, 'refresh');
  /** The origins (or endpoints) among `urls` that parse against `against`. */
  const parsed = (urls: readonly string[], against: string | undefined, part: (url: URL) => string): string[] =>
    urls.flatMap((url) => {
      const resolved = resolveUrl(url, against);
      return resolved && resolved.origin !== 'null' ? [part(resolved)] : [];
    });
  const cookieMode = options.refreshTokenTransport === 'cookie';

  return {
    loginUrl,
    refreshUrl,
    logoutUrl: endpoint(options.logoutUrl, 'logout'),
    absoluteBase,
    authEndpoints: parsed([loginUrl, refreshUrl], absoluteBase, withoutQuery),
    allowedOrigins: parsed(options.allowedOrigins ?? [base.origin], page, (url) => url.origin),
    storage: options.storage ?? new MemoryTokenStorage(),
    clock: options.clock ?? systemClock,
    cookieMode,
    refreshHeaders: options.refreshHeaders ?? (cookieMode ? { 'x-csrf-protection': '1' } : undefined),
    credentials: options.credentials ?? (cookieMode ? 'include' : 'same-origin'),
    refreshTimeoutMs: checkedNumber(options.refreshTimeoutMs, 5_000, 'refreshTimeoutMs', false),
    leewayMs: checkedNumber(options.leewaySeconds, 30, 'leewaySeconds', true) * 1000,
    proactive: options.proactiveRefresh ?? true,
    // Looked up per call, so polyfills installed later are used, and called unbound: window.fetch throws "Illegal
    // invocation" when called as a method of something else.
    rawFetch: options.fetch ?? ((input, init) => fetch(input, init)),
  };
}

/** `value`, or `fallback` when undefined; a RangeError names the option when it is not a finite positive number. */
export function checkedNumber(value: number | undefined, fallback: number, name: string, zeroAllowed: boolean): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !zeroAllowed)) {
    throw new RangeError(`AuthSession: ${name} must be ${zeroAllowed ? '>= 0' : 'a positive number'}`);
  }
  return value;
}
