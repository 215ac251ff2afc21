import type { AuthenticatedTransport } from './authenticated-transport.interface.js';

/**
 * Structural subset of an axios request config. Declared here instead of importing axios so the client has no
 * dependency on axios, not even a type-level one; a real `AxiosInstance` satisfies {@link AxiosLikeInstance}.
 */
export interface AxiosLikeRequestConfig {
  url?: string;
  baseURL?: string;
  headers?: unknown;
  signal?: unknown;
  [key: string]: unknown;
}

/** Structural subset of an axios interceptor manager. */
export interface AxiosLikeInterceptorManager<V> {
  use(onFulfilled?: ((value: V) => V | Promise<V>) | null, onRejected?: ((error: any) => any) | null): number;
  eject(id: number): void;
}

/** Structural subset of an axios instance (`axios` itself or `axios.create()`). */
export interface AxiosLikeInstance {
  interceptors: {
    request: AxiosLikeInterceptorManager<any>;
    response: AxiosLikeInterceptorManager<any>;
  };
  request(config: any): Promise<any>;
  /** axios >= 0.20: the URL a config will request (baseURL joined by axios's own rules). */
  getUri?(config?: any): string;
}

/**
 * Per-request bookkeeping stored on the axios config. A string key (not a symbol) because axios copies configs with
 * `mergeConfig`, which keeps unknown string keys but drops symbols — the replay must still see `replayed: true`.
 */
const AXIOS_STATE_KEY = '__dualTokenAuth';

interface RequestState {
  /** Access token the request was sent with (null: sent without one). */
  sentToken: string | null;
  /** True once the request was replayed after a refresh: a second 401 is final. */
  replayed: boolean;
}

/**
 * Installs a request interceptor that attaches `Authorization: Bearer <access token>` for the session's allowed
 * origins, and a response interceptor that handles a 401 once: it waits for the session's single-flight refresh (or
 * uses a token that got newer meanwhile) and replays the request with `instance.request(config)`.
 *
 * - The login and refresh endpoints are never touched, and the session performs its refresh with its own fetch, so
 *   the refresh call can never be intercepted or trigger another refresh.
 * - A request is replayed at most once; a 401 on the replay rejects with the original axios error.
 * - A request whose `data` can be read only once (a Node stream, a `ReadableStream`, another async iterable) is
 *   never replayed: its 401 refreshes the session (so sending it again works) and then rejects with the original
 *   axios error; if the refresh fails, with the refresh's typed error.
 * - When the refresh fails the request rejects with `SessionEndedError` or `RefreshFailedError`; when the request's
 *   `signal` aborts while waiting, it rejects with the signal's reason (an `AbortError`).
 * - Requests that set their own `Authorization` header are left alone.
 *
 * @returns a function that removes both interceptors.
 */
export function installAxiosInterceptors(instance: AxiosLikeInstance, session: AuthenticatedTransport): () => void {
  const requestId = instance.interceptors.request.use(async (config: AxiosLikeRequestConfig) => {
    const state = config[AXIOS_STATE_KEY] as RequestState | undefined;
    const url = requestedUrl(instance, config);
    if (url === null || !session.shouldAuthorize(url)) {
      // A replay whose target no longer qualifies must not keep the token set on the first pass.
      if (state) setAuthorization(config, null);
      return config;
    }
    // A header set by the caller (not by us on an earlier pass) means the caller manages auth for this request.
    if (!state && hasHeader(config.headers, 'authorization')) return config;
    const token = await session.getAccessToken();
    setAuthorization(config, token);
    const next: RequestState = { sentToken: token, replayed: state?.replayed === true };
    config[AXIOS_STATE_KEY] = next;
    return config;
  });

  const responseId = instance.interceptors.response.use(null, async (error: unknown) => {
    const config = (error as { config?: AxiosLikeRequestConfig } | null)?.config;
    const status = (error as { response?: { status?: unknown } } | null)?.response?.status;
    const state = config?.[AXIOS_STATE_KEY] as RequestState | undefined;
    if (status !== 401 || !config || !state || state.replayed) throw error;
    const fresh = await session.handleUnauthorized(state.sentToken, asAbortSignal(config.signal));
    // The first attempt consumed a one-shot body: a replay would send nothing (or fail) under the caller's name.
    if (fresh === null || isOneShotData(config.data)) throw error;
    config[AXIOS_STATE_KEY] = { sentToken: fresh, replayed: true } satisfies RequestState;
    setAuthorization(config, fresh);
    return instance.request(config);
  });

  return () => {
    instance.interceptors.request.eject(requestId);
    instance.interceptors.response.eject(responseId);
  };
}

/**
 * The URL axios will hand to its transport, which resolves it like fetch does (against the document in a browser).
 * Asked of axios itself (`getUri`) so its joining rules apply exactly: a protocol-relative `//host` counts as
 * absolute and ignores `baseURL`, `allowAbsoluteUrls: false` joins even absolute URLs. Null when axios refuses the
 * URL (the request will fail without being sent).
 */
function requestedUrl(instance: AxiosLikeInstance, config: AxiosLikeRequestConfig): string | null {
  try {
    const uri = typeof instance.getUri === 'function' ? instance.getUri(config) : axiosFullPath(config);
    return typeof uri === 'string' ? uri : '';
  } catch {
    return null;
  }
}

/** axios's own rule (`buildFullPath` + `combineURLs`), for axios-like objects without `getUri`. */
function axiosFullPath(config: AxiosLikeRequestConfig): string {
  const url = typeof config.url === 'string' ? config.url : '';
  const base = typeof config.baseURL === 'string' ? config.baseURL : '';
  const absolute = /^([a-z][a-z\d+\-.]*:)?\/\//i.test(url);
  if (!base || (absolute && config['allowAbsoluteUrls'] !== false)) return url;
  return url ? `${base.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}` : base;
}

interface HeadersWithMethods {
  get?(name: string): unknown;
  has?(name: string): boolean;
  set?(name: string, value: string): unknown;
  delete?(name: string): unknown;
}

function hasHeader(headers: unknown, name: string): boolean {
  if (!headers || typeof headers !== 'object') return false;
  const h = headers as HeadersWithMethods & Record<string, unknown>;
  // AxiosHeaders (axios >= 1) is case-insensitive through has(); plain objects need a manual scan.
  if (typeof h.has === 'function') return h.has(name);
  return Object.keys(h).some((key) => key.toLowerCase() === name && h[key] !== undefined && h[key] !== null);
}

function setAuthorization(config: AxiosLikeRequestConfig, token: string | null): void {
  if (!config.headers || typeof config.headers !== 'object') config.headers = {};
  const h = config.headers as HeadersWithMethods & Record<string, unknown>;
  if (typeof h.set === 'function' && typeof h.delete === 'function') {
    if (token === null) h.delete('Authorization');
    else h.set('Authorization', `Bearer ${token}`);
    return;
  }
  for (const key of Object.keys(h)) if (key.toLowerCase() === 'authorization') delete h[key];
  if (token !== null) h['Authorization'] = `Bearer ${token}`;
}

/** Request data that is consumed by sending it: streams and other async iterables (not strings, buffers, objects). */
function isOneShotData(data: unknown): boolean {
  if (typeof data !== 'object' || data === null) return false;
  if (typeof ReadableStream !== 'undefined' && data instanceof ReadableStream) return true;
  return typeof (data as { pipe?: unknown }).pipe === 'function' || Symbol.asyncIterator in data;
}

function asAbortSignal(signal: unknown): AbortSignal | undefined {
  return typeof AbortSignal !== 'undefined' && signal instanceof AbortSignal ? signal : undefined;
}
