import type { RefreshFailedError, SessionEndedError, SessionEndReason } from './errors.js';
import type { TokenSet } from './token-storage.js';

/** Where a token change came from. */
export type TokenChangeSource = 'restored' | 'login' | 'refresh' | 'set' | 'other-tab' | 'logout' | 'ended';

/**
 * What started a refresh: a 401, the proactive timer, `refresh()`, or a prompt retry after an attempt whose answer
 * was lost (see `refreshRetryWindowMs`).
 */
export type RefreshTrigger = 'unauthorized' | 'proactive' | 'manual' | 'retry';

/** Payload of `tokensChanged`: fired on every change of the token pair, local or from another tab. */
export interface TokensChangedEvent {
  /** The new tokens, or null when the session was cleared. */
  tokens: TokenSet | null;
  source: TokenChangeSource;
}

/** Payload of `refreshed`: this session obtained new tokens from the refresh endpoint. */
export interface RefreshedEvent {
  /** New access-token expiry in ms since the epoch, if known. */
  accessExpiresAt?: number;
  /** New refresh-token expiry in ms since the epoch, if known. */
  refreshExpiresAt?: number;
  /** Number of successful refresh calls made by this session so far (including this one). */
  refreshCount: number;
  trigger: RefreshTrigger;
}

/** Payload of `refreshFailed`: a refresh failed without ending the session (tokens kept). */
export interface RefreshFailedEvent {
  error: RefreshFailedError;
}

/** Payload of `sessionEnded` / `ended`: the session ended without the user asking for it. */
export interface SessionEndedEvent {
  reason: SessionEndReason;
  /** HTTP status of the rejected refresh, when there was one. */
  status?: number;
  /** The error every waiting request was rejected with. */
  error: SessionEndedError;
}

/** Payload of `loggedOut`: `logout()` was called here (`this-tab`) or in another tab. */
export interface LoggedOutEvent {
  origin: 'this-tab' | 'other-tab';
}

/** Events of {@link AuthSession}. */
export interface AuthSessionEvents {
  tokensChanged: TokensChangedEvent;
  refreshed: RefreshedEvent;
  refreshFailed: RefreshFailedEvent;
  /**
   * The session ended involuntarily (refresh rejected, storage cleared elsewhere, another tab's refresh rejected):
   * tokens are gone and the user must log in again. Fires once per session, never for an explicit `logout()`.
   */
  sessionEnded: SessionEndedEvent;
  /** Alias of `sessionEnded`. */
  ended: SessionEndedEvent;
  /** An explicit `logout()` ran, in this tab or another one. Distinct from `sessionEnded`. */
  loggedOut: LoggedOutEvent;
}
