import type { AuthSessionOptions, HeadersProvider } from './auth-session-options.interface.js';
import { systemClock, type Clock } from './clock.js';
import {
  detectChannelFactory,
  detectLockManager,
  type BroadcastChannelLike,
  type LockManagerLike,
} from './cross-tab-coordinator.js';
import type { FetchLike } from './fetch-like.interface.js';
import { MemoryTokenStorage, type TokenStorage } from './token-storage.js';
import { documentUrl, joinUrl, resolveUrl, withoutQuery } from './url-utils.js';

/** Cross-tab settings after defaults and feature detection. */
export interface CrossTabConfig {
  readonly lockName: string;
  readonly channelName: string;
  readonly lockTimeoutMs: number;
  readonly locks: LockManagerLike | null;
  readonly createChannel: ((name: string) => BroadcastChannelLike) | null;
}

/** {@link AuthSessionOptions} with every default applied and every URL resolved; what the session's parts share. */
export interface SessionConfig {
  readonly loginUrl: string;
  readonly refreshUrl: string;
  readonly logoutUrl: string;
  /** `baseUrl` resolved to an absolute URL (against the page in a browser). */
  readonly absoluteBase: string;
  /** Login and refresh endpoints without query, as `origin + pathname`: never intercepted. */
  readonly authEndpoints: ReadonlySet<string>;
  readonly allowedOrigins: ReadonlySet<string>;
  readonly storage: TokenStorage;
  readonly clock: Clock;
  readonly cookieMode: boolean;
  readonly refreshHeaders: HeadersProvider | undefined;
  readonly credentials: RequestCredentials;
  readonly refreshTimeoutMs: number;
  readonly refreshRetryWindowMs: number;
  readonly leewayMs: number;
  readonly proactive: boolean;
  readonly rawFetch: FetchLike;
  /** Null when cross-tab coordination is off. */
  readonly crossTab: CrossTabConfig | null;
}

/** Validates the options and applies the defaults documented on {@link AuthSessionOptions}. */
export function resolveSessionConfig(options: AuthSessionOptions): SessionConfig {
  if (!options || typeof options.baseUrl !== 'string') throw new TypeError('AuthSession: options.baseUrl is required');
  const page = documentUrl();
  const base = resolveUrl(options.baseUrl || '/', page);
  if (!base) {
    throw new TypeError(`AuthSession: baseUrl "${options.baseUrl}" must be an absolute URL outside a browser`);
  }
  const absoluteBase = base.href;
  const prefix = (options.pathPrefix ?? 'user').replace(/^\/+|\/+$/g, '');
  const endpoint = (explicit: string | undefined, name: string): string =>
    joinUrl(options.baseUrl, explicit ?? (prefix ? `${prefix}/${name}` : name));
  const loginUrl = endpoint(options.loginUrl, 'login');
  const refreshUrl = endpoint(options.refreshUrl, 'refresh');
  const logoutUrl = endpoint(options.logoutUrl, 'logout');
  const authEndpoints = new Set(
    [loginUrl, refreshUrl].map((u) => resolveUrl(u, absoluteBase)).flatMap((u) => (u ? [withoutQuery(u)] : [])),
  );

  const storage: TokenStorage = options.storage ?? new MemoryTokenStorage();
  const clock = options.clock ?? systemClock;
  const cookieMode = options.refreshTokenTransport === 'cookie';
  const refreshTimeoutMs = positive(options.refreshTimeoutMs, 5_000, 'refreshTimeoutMs');
  const origins = options.allowedOrigins ?? [base.origin];
  const allowedOrigins = new Set(
    origins.flatMap((origin) => {
      const url = resolveUrl(origin, page);
      return url && url.origin !== 'null' ? [url.origin] : [];
    }),
  );

  const crossTab = options.crossTab;
  const crossTabOptions = typeof crossTab === 'object' && crossTab !== null ? crossTab : {};
  // On by default only in a browser page, where tabs exist: in Node every session is on its own, and two sessions
  // that happen to use the same storage key must never hear each other (one's logout would end the other).
  const crossTabEnabled = crossTab === undefined ? storage.key !== undefined && isBrowserPage() : crossTab !== false;
  const lockTimeoutMs = positive(crossTabOptions.lockTimeoutMs, refreshTimeoutMs, 'crossTab.lockTimeoutMs');
  let crossTabConfig: CrossTabConfig | null = null;
  if (crossTabEnabled) {
    const channelName = crossTabOptions.channelName ?? `${storage.key ?? 'dual-token-auth'}:sync`;
    crossTabConfig = {
      lockName: crossTabOptions.lockName ?? `${channelName}:refresh`,
      channelName,
      lockTimeoutMs,
      locks: crossTabOptions.locks === undefined ? detectLockManager() : crossTabOptions.locks,
      createChannel: crossTabOptions.createChannel === undefined ? detectChannelFactory() : crossTabOptions.createChannel,
    };
  }

  return {
    loginUrl,
    refreshUrl,
    logoutUrl,
    absoluteBase,
    authEndpoints,
    allowedOrigins,
    storage,
    clock,
    cookieMode,
    refreshHeaders: options.refreshHeaders ?? (cookieMode ? { 'x-csrf-protection': '1' } : undefined),
    credentials: options.credentials ?? (cookieMode ? 'include' : 'same-origin'),
    refreshTimeoutMs,
    refreshRetryWindowMs: nonNegative(options.refreshRetryWindowMs, 8_000, 'refreshRetryWindowMs'),
    leewayMs: nonNegative(options.leewaySeconds, 30, 'leewaySeconds') * 1000,
    proactive: options.proactiveRefresh ?? true,
    // Looked up per call and invoked unbound-safe: window.fetch throws "Illegal invocation" when detached.
    rawFetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    crossTab: crossTabConfig,
  };
}

function isBrowserPage(): boolean {
  return typeof (globalThis as { document?: unknown }).document === 'object';
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`AuthSession: ${name} must be a positive number`);
  return value;
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`AuthSession: ${name} must be >= 0`);
  return value;
}
