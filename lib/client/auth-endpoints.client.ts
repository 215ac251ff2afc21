import type { HeadersProvider, LoginOptions } from './auth-session-options.interface.js';
import { LoginFailedError, RefreshFailedError, abortReason } from './errors.js';
import { discardBody, raceAbort, TimedOut, withTimeout } from './promise-utils.js';
import type { SessionConfig } from './resolve-session-config.js';
import { parseTokenResponse } from './token-response.parser.js';
import type { TokenSet } from './token-storage.js';

/** Thrown by {@link AuthEndpointsClient.refresh} when the server rejects the refresh token (HTTP 400/401/403). */
export class RefreshRejected {
  constructor(readonly status: number) {}
}

/**
 * The HTTP calls to the server's login, refresh and logout endpoints, each bounded by `refreshTimeoutMs`. Uses the
 * plain fetch, so these calls are never intercepted and a refresh can never trigger a refresh.
 */
export class AuthEndpointsClient {
  constructor(private readonly config: SessionConfig) {}

  /**
   * Posts the credentials and parses the answer.
   * @throws LoginFailedError, or the signal's reason when `options.signal` aborts.
   */
  async login(username: string, password: string, options: LoginOptions): Promise<TokenSet> {
    const { signal } = options;
    const { config } = this;
    let body: unknown;
    let receivedAt = 0;
    try {
      body = await this.callWithTimeout(signal, async (requestSignal) => {
        const response = await config.rawFetch(config.loginUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ ...options.extraBody, username, password }),
          credentials: config.credentials,
          signal: requestSignal,
        });
        receivedAt = config.clock.now();
        if (!response.ok) {
          discardBody(response);
          throw new LoginFailedError(
            response.status === 401 ? 'Invalid username or password' : `Login failed with HTTP ${response.status}`,
            { status: response.status },
          );
        }
        return response.json();
      });
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal);
      if (error instanceof LoginFailedError) throw error;
      if (error instanceof TimedOut) throw new LoginFailedError('Login timed out');
      throw new LoginFailedError('Login request failed', { cause: error });
    }
    const tokens = parseTokenResponse(body, { cookieMode: config.cookieMode, receivedAt });
    if (!tokens) throw new LoginFailedError('Login response has no usable access_token');
    return tokens;
  }

  /**
   * Presents the refresh token (or the cookie) and parses the new pair.
   * @throws RefreshRejected when the server refuses the token; RefreshFailedError otherwise.
   */
  async refresh(snapshot: TokenSet | null): Promise<TokenSet> {
    const { config } = this;
    try {
      return await this.callWithTimeout(undefined, async (signal) => {
        const headers = await this.refreshHeaders();
        headers.set('content-type', 'application/json');
        headers.set('accept', 'application/json');
        const body = config.cookieMode ? {} : { refresh_token: snapshot?.refreshToken };
        const response = await config.rawFetch(config.refreshUrl, {
          method: 'POST',
          headers,
          body: JSON.stringify(body),
          credentials: config.credentials,
          signal,
        });
        const receivedAt = config.clock.now();
        if (response.status === 400 || response.status === 401 || response.status === 403) {
          discardBody(response);
          throw new RefreshRejected(response.status);
        }
        if (!response.ok) {
          discardBody(response);
          const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
          throw new RefreshFailedError(retryable ? 'server' : 'unexpected-status', { status: response.status });
        }
        let json: unknown;
        try {
          json = await response.json();
        } catch (cause) {
          throw new RefreshFailedError('invalid-response', { status: response.status, cause });
        }
        const tokens = parseTokenResponse(json, {
          cookieMode: config.cookieMode,
          receivedAt,
          previousRefreshToken: snapshot?.refreshToken,
        });
        if (!tokens) throw new RefreshFailedError('invalid-response', { status: response.status });
        return tokens;
      });
    } catch (error) {
      if (error instanceof TimedOut) throw new RefreshFailedError('timeout');
      throw error;
    }
  }

  /** Best-effort revocation of `previous` at the server; never throws. */
  async logout(previous: TokenSet | null): Promise<void> {
    const { config } = this;
    try {
      await this.callWithTimeout(undefined, async (signal) => {
        const headers = await this.refreshHeaders();
        headers.set('content-type', 'application/json');
        if (previous) headers.set('authorization', `Bearer ${previous.accessToken}`);
        const body = !config.cookieMode && previous?.refreshToken ? { refresh_token: previous.refreshToken } : {};
        const response = await config.rawFetch(config.logoutUrl, {
          method: 'POST',
          headers,
          body: JSON.stringify(body),
          credentials: config.credentials,
          signal,
        });
        discardBody(response);
      });
    } catch {
      // Best-effort: the local session is already gone, the server-side one expires on its own.
    }
  }

  /**
   * The `refreshHeaders` for one call, resolved before anything is sent: a provider that throws (or yields headers
   * `Headers` refuses) is a `RefreshFailedError` of kind `headers`, not a network failure.
   */
  private async refreshHeaders(): Promise<Headers> {
    try {
      return new Headers(await resolveHeaders(this.config.refreshHeaders));
    } catch (cause) {
      throw new RefreshFailedError('headers', { cause });
    }
  }

  /**
   * Runs `call` with an AbortSignal that fires on `refreshTimeoutMs` or when `outer` aborts. The returned promise
   * settles on the timeout even if the fetch implementation ignores the signal.
   */
  private callWithTimeout<T>(outer: AbortSignal | undefined, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const onOuterAbort = (): void => controller.abort(outer?.reason);
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    const promise = (async () => call(controller.signal))();
    return withTimeout(this.config.clock, raceAbort(promise, outer), this.config.refreshTimeoutMs, () =>
      controller.abort(),
    ).finally(() => outer?.removeEventListener('abort', onOuterAbort));
  }
}

async function resolveHeaders(provider: HeadersProvider | undefined): Promise<HeadersInit | undefined> {
  return typeof provider === 'function' ? provider() : provider;
}
