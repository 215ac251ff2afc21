import type { LoginOptions } from './auth-session-options.interface.js';
import { LoginFailedError, RefreshFailedError, abortReason } from './errors.js';
import { discardBody, raceAbort, TimedOut, withTimeout } from './promise-utils.js';
import type { SessionConfig } from './session-config.interface.js';
import { parseTokenResponse } from './token-response.parser.js';
import type { TokenSet } from './token-storage.js';

/*
 * The HTTP calls to the server's login, refresh and logout endpoints, each bounded by `refreshTimeoutMs`. They use
 * the plain fetch, so these calls are never intercepted and a refresh can never trigger a refresh. Plain functions
 * of the session's config: a consumer's minifier shortens their names, which it cannot do for a class's methods.
 */

/** Thrown by {@link refreshCall} when the server rejects the refresh token (HTTP 400/401/403). */
export class RefreshRejected {
  constructor(readonly status: number) {}
}

/**
 * Posts the credentials and parses the answer.
 * @throws LoginFailedError, or the signal's reason when `options.signal` aborts.
 */
export async function loginCall(config: SessionConfig, username: string, password: string, options: LoginOptions): Promise<TokenSet> {
  const { signal } = options;
  let tokens: TokenSet | null;
  try {
    tokens = await post(config, config.loginUrl, { ...options.extraBody, username, password }, false, signal, async (response, receivedAt) => {
      const { status } = response;
      if (!response.ok) {
        discardBody(response);
        throw new LoginFailedError(status === 401 ? 'Invalid username or password' : `Login failed with HTTP ${status}`, { status });
      }
      return parseTokenResponse(await response.json(), config, receivedAt);
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
export async function refreshCall(config: SessionConfig, snapshot: TokenSet | null): Promise<TokenSet> {
  const previous = snapshot?.refreshToken;
  try {
    return await post(config, config.refreshUrl, config.cookieMode ? {} : { refresh_token: previous }, true, undefined, async (response, receivedAt) => {
      const { status } = response;
      if (!response.ok) {
        discardBody(response);
        if (status === 400 || status === 401 || status === 403) throw new RefreshRejected(status);
        throw new RefreshFailedError(status >= 500 || status === 408 || status === 429 ? 'server' : 'unexpected-status', { status });
      }
      let tokens: TokenSet | null;
      try {
        tokens = parseTokenResponse(await response.json(), config, receivedAt, previous);
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
export async function logoutCall(config: SessionConfig, previous: TokenSet | null): Promise<void> {
  try {
    const body = !config.cookieMode && previous?.refreshToken ? { refresh_token: previous.refreshToken } : {};
    await post(config, config.logoutUrl, body, true, undefined, discardBody, previous?.accessToken);
  } catch {
    // Best-effort: the local session is already gone, the server-side one expires on its own.
  }
}

/**
 * The `refreshHeaders` for one call, resolved before anything is sent: a provider that throws (or yields headers
 * `Headers` refuses) is a `RefreshFailedError` of kind `headers`, not a network failure.
 */
async function refreshHeaders({ refreshHeaders: provider }: SessionConfig): Promise<Headers> {
  try {
    return new Headers(typeof provider === 'function' ? await provider() : provider);
  } catch (cause) {
    throw new RefreshFailedError('headers', { cause });
  }
}

/**
 * POSTs `body` as JSON, with the `refreshHeaders` when `withRefreshHeaders` (resolved first) and the `bearer` token
 * when given, and hands the answer and the time it arrived to `read`, all within `refreshTimeoutMs` (a slow headers
 * provider included): the request's signal fires on the timeout or when `outer` aborts, and the returned promise
 * settles on the timeout even if the fetch implementation ignores the signal.
 */
function post<T>(
  config: SessionConfig,
  url: string,
  body: object,
  withRefreshHeaders: boolean,
  outer: AbortSignal | undefined,
  read: (response: Response, receivedAt: number) => T | Promise<T>,
  bearer?: string,
): Promise<T> {
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onOuterAbort);
  const call = (async () => {
    const headers = withRefreshHeaders ? await refreshHeaders(config) : new Headers();
    if (bearer) headers.set('authorization', `Bearer ${bearer}`);
    headers.set('content-type', 'application/json');
    headers.set('accept', 'application/json');
    const response = await config.rawFetch(url, {
      method: 'POST',
      headers,
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
