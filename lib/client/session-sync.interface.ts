import type { TokenSet } from './token-storage.js';

/** Messages exchanged between tabs. Tokens travel only inside the origin (BroadcastChannel is same-origin). */
export type CrossTabPayload =
  /** New tokens; `from` is the pair a refresh started from (absent for a login or `setTokens`). */
  | { readonly type: 'tokens'; readonly tokens: TokenSet; readonly from?: TokenSet }
  /** The session ended here; `tokens` is the pair it held, so tabs on other sessions can tell it is not theirs. */
  | { readonly type: 'cleared'; readonly reason: 'logout' | 'ended'; readonly tokens?: TokenSet };

/**
 * A change of this tab's session, as the session reports it to its {@link SessionSync}: new `tokens` (`from` is the
 * pair a refresh started from), or the pair that was `cleared` (null when there was none).
 */
export type SessionChange =
  | { readonly type: 'tokens'; readonly tokens: TokenSet; readonly from?: TokenSet | null }
  | { readonly type: 'cleared'; readonly reason: 'logout' | 'ended'; readonly tokens: TokenSet | null };

/**
 * Keeps one session in step with everyone else who reads and writes its token storage (other tabs). A session
 * without one keeps to itself, which is all a session in Node or with memory storage needs; that is why it is a
 * plugin (`CrossTabPlugin`): the lean client entry carries none of its bytes.
 */
export interface SessionSync {
  /** Runs a refresh while no other tab refreshes; absent when there is no cross-tab lock. */
  readonly lock?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Longest wait for {@link lock} in milliseconds; the refresh's last-resort deadline grows by it. */
  readonly lockTimeoutMs: number;
  /**
   * Tells the other tabs about a change of this tab's state, once the storage writes queued so far are done (so a
   * message never announces tokens the storage does not hold yet).
   */
  publish(change: SessionChange): void;
  /** Notes a pair this tab has left (login, logout, end...): a late refresh of it elsewhere must not be adopted. */
  retire(pair: TokenSet): void;
  /**
   * Re-reads the storage before a refresh (`stage` `'before'`), after the server rejected it (`'rejected'`) and
   * before storing its result (`'after'`): tokens another tab stored meanwhile are adopted and returned, so this tab
   * never presents a refresh token that was just rotated away nor overwrites a newer choice. Null: go on.
   */
  reconcile(snapshot: TokenSet | null, generation: number, stage: 'before' | 'rejected' | 'after'): Promise<TokenSet | null>;
  /** Stops listening to the other tabs. */
  close(): void;
}
