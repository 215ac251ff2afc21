import type { AuthSessionCoreOptions } from './auth-session-options.interface.js';
import { checkedNumber } from './checked-number.js';
import { systemClock } from './clock.js';
import type { SessionConfig } from './session-config.interface.js';
import { MemoryTokenStorage } from './token-storage.js';
import { documentUrl, joinUrl, resolveUrl, withoutQuery } from './url-utils.js';

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
    jwtExpiry: options.jwtExpiry,
  };
}
