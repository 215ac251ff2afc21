import { CrossTabCoordinator, type CrossTabCoordinatorConfig, type CrossTabMessage } from './cross-tab-coordinator.js';
import type { SessionConfig } from './session-config.interface.js';
import type { SessionState } from './session-state.js';
import type { SessionSyncHost } from './cross-tab-plugin.interface.js';
import type { CrossTabPayload, SessionChange, SessionSync } from './session-sync.interface.js';
import { isTokenSet, sameTokens, type TokenSet } from './token-storage.js';

/** Cross-tab settings after defaults and feature detection (what the coordinator needs besides clock and listener). */
export type CrossTabConfig = Omit<CrossTabCoordinatorConfig, 'clock' | 'onMessage'>;

/** How many left pairs a tab remembers; refreshes of older ones were answered long ago. */
const MAX_RETIRED = 8;

/** How long a tab waits for its view of the shared storage to show tokens another tab announced, and how often it looks. */
const STORAGE_CATCH_UP_MS = 1000;
const STORAGE_POLL_MS = 20;

/**
 * Keeps this tab's {@link SessionState} in step with the other tabs: announces local changes, applies the changes
 * other tabs announce (over BroadcastChannel, or the storage event as a fallback), provides the cross-tab refresh
 * lock, and re-reads the shared storage around each refresh. With `crossTab` null it only does the last: a session
 * whose storage someone else writes (cross-tab coordination turned off, or no Web Locks and no BroadcastChannel)
 * still never presents a refresh token another holder of the storage rotated away.
 */
export class CrossTabSync implements SessionSync {
  readonly lock: (<T>(fn: () => Promise<T>) => Promise<T>) | undefined;
  readonly lockTimeoutMs: number;
  private readonly config: SessionConfig;
  private readonly state: SessionState;
  private readonly ready: () => Promise<void>;
  private readonly coordinator: CrossTabCoordinator | null;
  private readonly unsubscribeStorage: (() => void) | undefined;
  /** Number of cross-tab messages received; a handler that waited gives way to messages that arrived meanwhile. */
  private messagesReceived = 0;
  /**
   * The last pairs this tab replaced or dropped (login, setTokens, logout, end, adopting another session). Another
   * tab's refresh that started from one of them finished too late: its result belongs to a session this tab left.
   */
  private readonly retired: TokenSet[] = [];

  constructor(host: SessionSyncHost, crossTab: CrossTabConfig | null) {
    const { config } = host;
    this.config = config;
    this.state = host.state;
    this.ready = host.ready;
    const coordinator =
      crossTab && (crossTab.locks || crossTab.createChannel)
        ? new CrossTabCoordinator({
            ...crossTab,
            clock: config.clock,
            onMessage: (message) => void this.onMessage(message),
          })
        : null;
    this.coordinator = coordinator;
    this.lock = coordinator ? (fn) => coordinator.withRefreshLock(fn) : undefined;
    this.lockTimeoutMs = coordinator && crossTab ? crossTab.lockTimeoutMs : 0;
    // The storage event is the fallback for browsers without BroadcastChannel: it carries no reason, so using
    // both would report the same change twice with possibly different meanings.
    if (crossTab && !this.coordinator?.canBroadcast && config.storage.subscribe) {
      this.unsubscribeStorage = config.storage.subscribe(() => void this.onStorageChanged());
    }
  }

  /** `true`/`false`: the storage is shared by every tab / explicitly per tab (see `TokenStorage.shared`). */
  private get storageShared(): boolean | undefined {
    return this.config.storage.shared;
  }

  publish(change: SessionChange): void {
    const { coordinator, state } = this;
    if (!coordinator) return;
    void state.settled().then(() => {
      // Tokens the storage failed to keep (quota, disabled storage) are this tab's alone: announcing them would make
      // other tabs look for them in a storage that does not hold them, or copy a pair this tab cannot persist.
      if (change.type !== 'tokens' || state.storageInStep) coordinator.publish(toMessage(change));
    });
  }

  retire(pair: TokenSet): void {
    this.retired.push(pair);
    if (this.retired.length > MAX_RETIRED) this.retired.shift();
  }

  /**
   * Re-reads the storage. Returns the stored tokens when they differ from `snapshot` (someone else refreshed) after
   * adopting them; ends the session when the storage was emptied elsewhere; otherwise returns null. After a
   * successful refresh only shared storage is re-read: a per-tab storage has no one else writing it.
   */
  async reconcile(snapshot: TokenSet | null, generation: number, stage: 'before' | 'rejected' | 'after'): Promise<TokenSet | null> {
    const { state } = this;
    if (stage === 'after' && !this.storageShared) return null;
    await state.settled();
    if (!state.storageInStep) return null;
    const stored = await state.readStorage();
    if (stored === undefined || generation !== state.generation) return null;
    if (stored && !sameTokens(stored, snapshot)) {
      if (!sameTokens(stored, state.tokens)) state.setCurrent(stored, 'other-tab', true, false);
      return state.tokens ?? stored;
    }
    if (!stored && snapshot && !state.cookieMode) {
      throw state.end('cleared-elsewhere', undefined, false);
    }
    return null;
  }

  close(): void {
    this.coordinator?.close();
    this.unsubscribeStorage?.();
  }

  private async onMessage(message: CrossTabMessage): Promise<void> {
    const { state } = this;
    const sequence = ++this.messagesReceived;
    await this.ready();
    if (state.disposed) return;
    if (message.type === 'tokens') {
      // A refresh of a pair this tab has left (logged out, logged in as someone else) finished in another tab after
      // the fact: never adopt it, and take it back out of the shared storage if it was written there.
      if (message.from && this.retired.some((pair) => sameTokens(pair, message.from))) return this.undoStaleWrite(message.tokens, sequence);
      const refreshOfOurs = message.from !== undefined && state.tokens !== null && sameTokens(message.from, state.tokens);
      // Per-tab storage: other tabs hold other sessions; only a duplicate of this tab (same pair) follows along.
      if (this.storageShared === false && !refreshOfOurs) return;
      let next: TokenSet | null | undefined;
      if (this.storageShared) {
        next = isTokenSet(message.tokens) ? await this.readStorageOnceItShows(message.tokens) : await state.readStorage();
      } else {
        next = isTokenSet(message.tokens) ? state.normalize(message.tokens) : null;
      }
      // A later message (e.g. a logout right after this refresh) was handled while we waited: it describes a newer
      // state, and adopting these tokens now would resurrect the session.
      if (sequence !== this.messagesReceived || state.disposed) return;
      if (!next || sameTokens(next, state.tokens)) return;
      state.setCurrent(next, 'other-tab', !(refreshOfOurs && sameTokens(next, message.tokens)), !this.storageShared);
      return;
    }
    if (!state.tokens) return;
    if (this.storageShared === false && !(message.tokens && sameTokens(message.tokens, state.tokens))) return;
    if (message.reason === 'logout') state.logOut('other-tab', !this.storageShared);
    else state.end('other-tab', undefined, !this.storageShared);
  }

  /**
   * `stale` was stored by another tab's refresh of a session this tab left. If the shared storage holds it, this
   * tab's own state is written back (its pair, or nothing after a logout) and announced, so every tab converges on
   * what this tab chose last.
   */
  private async undoStaleWrite(stale: TokenSet, sequence: number): Promise<void> {
    const { state } = this;
    if (!this.storageShared) return;
    const stored = await this.readStorageOnceItShows(stale);
    if (sequence !== this.messagesReceived || state.disposed || !stored || !sameTokens(stored, stale)) return;
    const own = state.tokens;
    state.persist(own);
    this.publish(own ? { type: 'tokens', tokens: own } : { type: 'cleared', reason: 'logout', tokens: stale });
  }

  /**
   * Reads the shared storage, giving this tab's view of it a moment to show `announced` (tokens another tab said it
   * stored). Browsers propagate localStorage writes to other tabs asynchronously and independently of
   * BroadcastChannel: Chromium now and then delivers the message first, and reading at once would miss the change.
   * The storage stays the source of truth: if it never shows `announced` (e.g. this tab wrote a newer pair), what it
   * holds after the wait is returned.
   */
  private async readStorageOnceItShows(announced: TokenSet): Promise<TokenSet | null | undefined> {
    const { state } = this;
    const { clock } = this.config;
    const deadline = clock.now() + STORAGE_CATCH_UP_MS;
    for (;;) {
      await state.settled();
      const stored = await state.readStorage();
      if (stored === undefined || (stored && sameTokens(stored, announced))) return stored;
      if (state.disposed || clock.now() >= deadline) return stored;
      await new Promise<void>((resolve) => clock.setTimeout(resolve, STORAGE_POLL_MS));
    }
  }

  /** `storage` event fallback (no BroadcastChannel): mirror whatever the shared storage now holds. */
  private async onStorageChanged(): Promise<void> {
    const { state } = this;
    await this.ready();
    if (state.disposed) return;
    await state.settled();
    const stored = await state.readStorage();
    if (stored === undefined || sameTokens(stored, state.tokens)) return;
    if (stored) state.setCurrent(stored, 'other-tab', true, false);
    else state.end('cleared-elsewhere', undefined, false);
  }
}

/** The message that tells other tabs about `change`: copies of the tokens, and of a left pair only what identifies it. */
function toMessage(change: SessionChange): CrossTabPayload {
  if (change.type === 'tokens') {
    const tokens = { ...change.tokens };
    return change.from ? { type: 'tokens', tokens, from: pairOf(change.from) } : { type: 'tokens', tokens };
  }
  const { reason, tokens } = change;
  return tokens ? { type: 'cleared', reason, tokens: pairOf(tokens) } : { type: 'cleared', reason };
}

/** Only what identifies a pair, for messages. */
function pairOf(tokens: TokenSet): TokenSet {
  return tokens.refreshToken === undefined
    ? { accessToken: tokens.accessToken }
    : { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken };
}
