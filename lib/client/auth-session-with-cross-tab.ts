import type { AuthSessionCoreOptions } from './auth-session-options.interface.js';
import { AuthSession } from './auth-session.js';
import type { CrossTabOptions } from './cross-tab-coordinator.js';
import { crossTabFromOption } from './cross-tab.plugin.js';
import { jwtClaimsExpiry } from './jwt-expiry.plugin.js';
import { replayableBodies } from './replayable-bodies.plugin.js';
import { retryLostRefresh, type RefreshRetryPlugin } from './lost-refresh-retry.plugin.js';
import type { CrossTabPlugin } from './cross-tab-plugin.interface.js';

/** Options of {@link AuthSession} / {@link createAuthSession} as `nestjs-dual-token-auth/client` exports them. */
export interface AuthSessionOptions extends Omit<AuthSessionCoreOptions, 'crossTab' | 'refreshRetry' | 'jwtExpiry' | 'replayBodies'> {
  /**
   * How long after a refresh attempt started, in milliseconds, the session keeps retrying it when the answer was lost
   * (network error or timeout). The server may have rotated the pair without the client learning it; it hands the
   * current pair to the previous refresh token only within its `reuseGraceSeconds` of the rotation (default 10 s)
   * and treats a later use as token theft, revoking the session in every tab. So retries start promptly (after
   * 250 ms, doubling up to 2 s) and none starts later than this window; keep it below the server's grace minus
   * network time. Waiting requests still fail at once with the `RefreshFailedError`; the retries run in the
   * background and announce their result like any refresh (`refreshed` with trigger `retry`). 0 disables them.
   * @default 8000
   */
  refreshRetryWindowMs?: number;
  /** A retry plugin of your own instead of `retryLostRefresh({ windowMs: refreshRetryWindowMs })`. */
  refreshRetry?: RefreshRetryPlugin;
  /**
   * Cross-tab coordination (one refresh at a time across tabs, new tokens and logout relayed to other tabs).
   * `false` disables it, `true` or an object enables it (a `crossTabSync()` plugin is taken as is). What tabs do with
   * each other's messages depends on `storage.shared`: with shared storage (localStorage) all tabs are one session;
   * with per-tab storage (sessionStorage) each tab is its own session and only a duplicated tab follows the refreshes
   * of its original.
   * @default enabled in a browser page when the storage has a `key` (e.g. LocalStorageTokenStorage) and the runtime
   * has Web Locks or BroadcastChannel; disabled outside browsers, so sessions in one Node process never talk to each
   * other.
   */
  crossTab?: boolean | CrossTabOptions | CrossTabPlugin;
}

/**
 * The session of `nestjs-dual-token-auth/client`: the lean {@link AuthSession} with cross-tab coordination, the
 * retry of lost refresh answers, expiry from JWT claims and the replay of request bodies wired as that entry has always done (cross-tab on by
 * default for shared browser storage, retries within `refreshRetryWindowMs`), so upgrading never silently drops them.
 */
export class AuthSessionWithCrossTab extends AuthSession {
  constructor(options: AuthSessionOptions) {
    super({
      ...options,
      crossTab: crossTabFromOption(options.crossTab),
      refreshRetry: options.refreshRetry ?? retryLostRefresh({ windowMs: options.refreshRetryWindowMs }),
      jwtExpiry: jwtClaimsExpiry(),
      replayBodies: replayableBodies(),
    });
  }
}

/** Creates an {@link AuthSessionWithCrossTab}. */
export function createAuthSessionWithCrossTab(options: AuthSessionOptions): AuthSessionWithCrossTab {
  return new AuthSessionWithCrossTab(options);
}
