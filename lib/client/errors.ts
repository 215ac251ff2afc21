/**
 * The client's error contract. Every failure caused by authentication handling is one of these classes, so callers
 * can write `if (err instanceof SessionEndedError) showLogin()` instead of inspecting HTTP responses.
 */

/** Base class of every error thrown by the client; `code` is stable and safe to switch on. */
export class AuthClientError extends Error {
  // `declare`d fields are assigned in the constructor and emit no class field of their own (fewer shipped bytes).
  /** Stable machine-readable code. */
  declare readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuthClientError';
    this.code = code;
  }
}

/**
 * Why a session ended.
 * - `refresh-rejected`: the server refused the refresh token (HTTP 400/401/403: expired, revoked or reused).
 * - `no-refresh-token`: an access token was rejected and there is no refresh token to renew it with.
 * - `cleared-elsewhere`: the shared token storage was emptied by someone else (e.g. another tab), reason unknown.
 * - `other-tab`: another tab reported that its refresh was rejected.
 * - `logged-out`: `logout()` was called (in this tab or another) while the request was waiting.
 */
export type SessionEndReason = 'refresh-rejected' | 'no-refresh-token' | 'cleared-elsewhere' | 'other-tab' | 'logged-out';

/**
 * The session is over: tokens were cleared and the user has to log in again. Every request waiting for the refresh
 * that ended the session is rejected with this error; retrying will not help.
 */
export class SessionEndedError extends AuthClientError {
  /** Why the session ended. */
  declare readonly reason: SessionEndReason;
  /** HTTP status of the rejected refresh call, when there was one. */
  declare readonly status: number | undefined;

  constructor(reason: SessionEndReason, options?: { status?: number; cause?: unknown }) {
    super('SESSION_ENDED', describe('Authentication session ended', reason, options), options);
    this.name = 'SessionEndedError';
    this.reason = reason;
    this.status = options?.status;
  }
}

/**
 * Kind of refresh failure.
 * - `network`: the refresh request did not reach the server or the connection broke.
 * - `timeout`: no answer within `refreshTimeoutMs`.
 * - `server`: HTTP 5xx, 408 or 429.
 * - `unexpected-status`: another non-2xx status that does not mean "token rejected" (e.g. 404 from a wrong URL).
 * - `invalid-response`: a 2xx answer without a usable `access_token` (missing, empty, or not sendable in an
 *   `Authorization` header).
 * - `headers`: the `refreshHeaders` provider threw; nothing was sent (the provider's error is the `cause`).
 */
export type RefreshFailureKind = 'network' | 'timeout' | 'server' | 'unexpected-status' | 'invalid-response' | 'headers';

/**
 * The refresh could not be completed, but the server did not reject the session: tokens are kept and a later request
 * (or the next proactive refresh) tries again. The waiting requests are rejected with this error.
 */
export class RefreshFailedError extends AuthClientError {
  /** What went wrong. */
  declare readonly kind: RefreshFailureKind;
  /** HTTP status of the refresh response, when there was one. */
  declare readonly status: number | undefined;
  /** `true` when retrying later can succeed (network, timeout, 5xx/408/429, unreadable 2xx); false when it cannot without a fix (unexpected status, throwing `refreshHeaders`). */
  declare readonly retryable: boolean;

  constructor(kind: RefreshFailureKind, options?: { status?: number; cause?: unknown }) {
    super('REFRESH_FAILED', describe('Token refresh failed', kind, options), options);
    this.name = 'RefreshFailedError';
    this.kind = kind;
    this.status = options?.status;
    this.retryable = kind !== 'unexpected-status' && kind !== 'headers';
  }
}

/** `login()` failed. `status` is 401 for wrong credentials; absent for network errors and timeouts. */
export class LoginFailedError extends AuthClientError {
  /** HTTP status of the login response, when there was one. */
  declare readonly status: number | undefined;

  constructor(message: string, options?: { status?: number; cause?: unknown }) {
    super('LOGIN_FAILED', message, options);
    this.name = 'LoginFailedError';
    this.status = options?.status;
  }
}

/** The message of a session or refresh error: `what (detail, HTTP status)`. */
function describe(what: string, detail: string, options?: { status?: number }): string {
  return `${what} (${detail}${options?.status ? `, HTTP ${options.status}` : ''})`;
}

/** The error an aborted operation rejects with: the signal's reason, like `fetch` does, else a DOMException. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** True for DOMException/Error instances named `AbortError` (fetch/Web Locks abort) or `TimeoutError`. */
export function isAbortError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'name' in error &&
    ((error as { name: unknown }).name === 'AbortError' || (error as { name: unknown }).name === 'TimeoutError')
  );
}
