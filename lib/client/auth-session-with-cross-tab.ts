import type { AuthSessionCoreOptions } from './auth-session-options.interface.js';
import { AuthSession } from './auth-session.js';
import type { CrossTabOptions } from './cross-tab-coordinator.js';
import { crossTabFromOption } from './cross-tab.plugin.js';
import type { CrossTabPlugin } from './session-sync.interface.js';

/** Options of {@link AuthSession} / {@link createAuthSession} as `nestjs-dual-token-auth/client` exports them. */
export interface AuthSessionOptions extends Omit<AuthSessionCoreOptions, 'crossTab'> {
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
 * The session of `nestjs-dual-token-auth/client`: the lean {@link AuthSession} with cross-tab coordination wired as
 * that entry has always done (on by default for shared browser storage), so upgrading never silently drops it.
 */
export class AuthSessionWithCrossTab extends AuthSession {
  constructor(options: AuthSessionOptions) {
    super({ ...options, crossTab: crossTabFromOption(options.crossTab) });
  }
}

/** Creates an {@link AuthSessionWithCrossTab}. */
export function createAuthSessionWithCrossTab(options: AuthSessionOptions): AuthSessionWithCrossTab {
  return new AuthSessionWithCrossTab(options);
}
