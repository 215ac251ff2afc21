import { detectChannelFactory, detectLockManager, type CrossTabOptions } from './cross-tab-coordinator.js';
import { CrossTabSync, type CrossTabConfig } from './cross-tab-sync.js';
import { checkedNumber } from './checked-number.js';
import type { SessionConfig } from './session-config.interface.js';
import type { CrossTabPlugin } from './cross-tab-plugin.interface.js';

/**
 * Cross-tab coordination for a session of the lean client: one refresh at a time across tabs (Web Locks), new
 * tokens and logouts relayed to the other tabs (BroadcastChannel, else the storage event), so tabs sharing
 * `localStorage` never present a refresh token another tab already rotated (which the server treats as theft).
 * ```ts
 * createAuthSession({ baseUrl, storage: new LocalStorageTokenStorage(), crossTab: crossTabSync() });
 * ```
 * What tabs do with each other's messages depends on `storage.shared`: with shared storage (localStorage) all tabs
 * are one session; with per-tab storage (sessionStorage) each tab is its own session and only a duplicated tab
 * follows the refreshes of its original.
 */
export function crossTabSync(options: CrossTabOptions = {}): CrossTabPlugin {
  return (host) => new CrossTabSync(host, resolveCrossTabConfig(options, host.config));
}

/**
 * The `crossTab` option of `nestjs-dual-token-auth/client`, as a plugin. `undefined` turns coordination on in a
 * browser page when the storage has a `key`; `false` turns it off, but a storage someone else may write is still
 * re-read around each refresh, as that entry has always done.
 */
export function crossTabFromOption(option: boolean | CrossTabOptions | CrossTabPlugin | undefined): CrossTabPlugin {
  if (typeof option === 'function') return option;
  return (host) => {
    const config = resolveCrossTabConfig(typeof option === 'object' && option !== null ? option : {}, host.config);
    // On by default only in a browser page, where tabs exist: in Node every session is on its own, and two sessions
    // that happen to use the same storage key must never hear each other (one's logout would end the other).
    const enabled = option === undefined ? host.config.storage.key !== undefined && isBrowserPage() : option !== false;
    return new CrossTabSync(host, enabled ? config : null);
  };
}

/** The defaults documented on {@link CrossTabOptions}, with Web Locks and BroadcastChannel detected. */
function resolveCrossTabConfig(options: CrossTabOptions, session: SessionConfig): CrossTabConfig {
  const channelName = options.channelName ?? `${session.storage.key ?? 'dual-token-auth'}:sync`;
  return {
    lockName: options.lockName ?? `${channelName}:refresh`,
    channelName,
    lockTimeoutMs: checkedNumber(options.lockTimeoutMs, session.refreshTimeoutMs, 'crossTab.lockTimeoutMs', false),
    locks: options.locks === undefined ? detectLockManager() : options.locks,
    createChannel: options.createChannel === undefined ? detectChannelFactory() : options.createChannel,
  };
}

function isBrowserPage(): boolean {
  return typeof (globalThis as { document?: unknown }).document === 'object';
}
