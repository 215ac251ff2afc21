import type { LoginOptions } from './auth-session-options.interface.js';
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
    const body = { ...options.extraBody, username, password };
    let tokens: TokenSet | null;
    try {
      tokens = await this.post(this.config.loginUrl, body, async () => new Headers(), signal, async (response, receivedAt) => {
        if (!response.ok) {
          discardBody(response);
          const { status } = response;
          throw new LoginFailedError(status === 401 ? 'Invalid username or password' : `Login failed with HTTP ${status}`, { status });
        }
        return this.parse(await response.json(), receivedAt);
      });
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal);
      if (error instanceof LoginFailedError) throw error;
      throw error instanceof TimedOut ? new LoginFailedError('Login timed out') : new LoginFailedError('Login request failed', { cause: error });
    }
    if (!tokens) throw new LoginFailedError('Login response has no usable access_token');
    return tokens;
  }

  /**
   * Presents the refresh token (or the cookie) and parses the new pair.
   * @throws RefreshRejected when the server refuses the token; RefreshFailedError otherwise.
   */
  async refresh(snapshot: TokenSet | null): Promise<TokenSet> {
    const body = this.config.cookieMode ? {} : { refresh_token: snapshot?.refreshToken };
    try {
      return await this.post(this.config.refreshUrl, body, () => this.refreshHeaders(), undefined, async (response, receivedAt) => {
        const { status } = response;
        if (!response.ok) {
          discardBody(response);
          if (status === 400 || status === 401 || status === 403) throw new RefreshRejected(status);
          throw new RefreshFailedError(status >= 500 || status === 408 || status === 429 ? 'server' : 'unexpected-status', { status });
        }
        let tokens: TokenSet | null;
        try {
          tokens = this.parse(await response.json(), receivedAt, snapshot?.refreshToken);
        } catch (cause) {
          throw new RefreshFailedError('invalid-response', { status, cause });
        }
        if (!tokens) throw new RefreshFailedError('invalid-response', { status });
        return tokens;
      });
    } catch (error) {
      throw error instanceof TimedOut ? new RefreshFailedError('timeout') : error;
    }
  }

  /** Best-effort revocation of `previous` at the server; never throws. */
  async logout(previous: TokenSet | null): Promise<void> {
    try {
      const headers = async (): Promise<Headers> => {
        const resolved = await this.refreshHeaders();
        if (previous) resolved.set('authorization', `Bearer ${previous.accessToken}`);
        return resolved;
      };
      const body = !this.config.cookieMode && previous?.refreshToken ? { refresh_token: previous.refreshToken } : {};
      await this.post(this.config.logoutUrl, body, headers, undefined, discardBody);
    } catch {
      // Best-effort: the local session is already gone, the server-side one expires on its own.
    }
  }

  private parse(body: unknown, receivedAt: number, previousRefreshToken?: string): TokenSet | null {
    return parseTokenResponse(body, { cookieMode: this.config.cookieMode, receivedAt, previousRefreshToken });
  }

  /**
   * The `refreshHeaders` for one call, resolved before anything is sent: a provider that throws (or yields headers
   * `Headers` refuses) is a `RefreshFailedError` of kind `headers`, not a network failure.
   */
  private async refreshHeaders(): Promise<Headers> {
    const provider = this.config.refreshHeaders;
    try {
      return new Headers(typeof provider === 'function' ? await provider() : provider);
    } catch (cause) {
      throw new RefreshFailedError('headers', { cause });
    }
  }

  /**
   * POSTs `body` as JSON with the `headers` resolved first and hands the answer and the time it arrived to `read`,
   * all within `refreshTimeoutMs` (a slow headers provider included): the request's signal fires on the timeout or
   * when `outer` aborts, and the returned promise settles on the timeout even if the fetch implementation ignores
   * the signal.
   */
  private post<T>(
    url: string,
    body: object,
    headers: () => Promise<Headers>,
    outer: AbortSignal | undefined,
    read: (response: Response, receivedAt: number) => T | Promise<T>,
  ): Promise<T> {
    const { config } = this;
    const controller = new AbortController();
    const onOuterAbort = (): void => controller.abort(outer?.reason);
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    const call = (async () => {
      const resolved = await headers();
      resolved.set('content-type', 'application/json');
      resolved.set('accept', 'application/json');
      const response = await config.rawFetch(url, {
        method: 'POST',
        headers: resolved,
        body: JSON.stringify(body),
        credentials: config.credentials,
        signal: controller.signal,
      });
      return read(response, config.clock.now());
    })();
    return withTimeout(config.clock, raceAbort(call, outer), config.refreshTimeoutMs, () => controller.abort()).finally(() =>
      outer?.removeEventListener('abort', onOuterAbort),
    );
  }
}
