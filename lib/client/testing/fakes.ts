/**
 * Test doubles for code that uses the client: a scripted auth server behind a fake fetch, Web Locks and
 * BroadcastChannel fakes, and small promise helpers. Nothing here touches the network or real timers; Node only
 * (uses `Buffer` and `setImmediate`). Exported from `nestjs-dual-token-auth/client/testing`.
 */
import type { BroadcastChannelLike, LockManagerLike } from '../cross-tab-coordinator.js';
import type { FetchLike } from '../fetch-like.interface.js';
import type { ManualClock } from './manual-clock.js';

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every pending promise continuation (and chained ones) run; uses no timers of the code under test. */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Unsigned JWT with the given claims (the client never verifies signatures). */
export function makeJwt(claims: Record<string, unknown>): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}.c2lnbmF0dXJl`;
}

/** What the fake server saw of one request. */
export interface RecordedRequest {
  method: string;
  url: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  credentials: RequestCredentials | undefined;
}

export type RefreshBehavior = 'rotate' | 'reject' | 'error500' | 'network' | 'hang' | 'garbage';

export interface FakeAuthServerOptions {
  /** The server's clock (only `now()` is used); pass another clock than the client's to simulate skew. */
  clock: Pick<ManualClock, 'now'>;
  origin?: string;
  /** Access-token lifetime in seconds. @default 900 */
  accessTtl?: number;
  /** Issue opaque access tokens instead of JWTs. @default false */
  opaque?: boolean;
  /** Include `expires_in` in token responses. @default true */
  sendExpiresIn?: boolean;
  /**
   * Emulates the real server's `reuseGraceSeconds`: within this many seconds of a rotation the previous refresh token
   * gets the current pair back (no new rotation); any other stale refresh token is taken as theft and every token
   * issued so far is revoked. @default undefined (stale refresh tokens are just rejected)
   */
  reuseGraceSeconds?: number;
}

/**
 * A scripted version of the server contract: POST /user/login, /user/refresh (rotating), /user/logout, and protected
 * routes under /api that answer 401 unless the bearer token is currently valid.
 */
export class FakeAuthServer {
  readonly origin: string;
  readonly requests: RecordedRequest[] = [];
  readonly validAccess = new Set<string>();
  /** Refresh tokens that may be presented (one per login family; rotation replaces it). */
  readonly validRefresh = new Set<string>();
  /** Most recently issued refresh token. */
  currentRefresh: string | null = null;
  refreshBehavior: RefreshBehavior = 'rotate';
  /** When set, refresh answers wait for this promise (lets tests hold a refresh in flight). */
  refreshGate: Promise<void> | null = null;
  /** Number of refresh answers to lose after the rotation happened (the client sees a network error). */
  dropRefreshAnswers = 0;
  /** When true, refreshes rotate but their answer never arrives (the client times out). */
  holdRefreshAnswers = false;
  /** Number of refresh tokens presented after they were rotated away, outside the grace (each revoked everything). */
  reuseDetections = 0;
  /** When set, protected-route answers wait for the promise returned for that request. */
  apiGate: ((request: RecordedRequest) => Promise<void> | undefined) | null = null;
  accessTtl: number;
  private seq = 0;
  private lastRotation: { previous: string; at: number; body: ReturnType<FakeAuthServer['issue']> } | null = null;
  private readonly opaque: boolean;
  private readonly sendExpiresIn: boolean;

  constructor(private readonly options: FakeAuthServerOptions) {
    this.origin = options.origin ?? 'https://api.test';
    this.accessTtl = options.accessTtl ?? 900;
    this.opaque = options.opaque ?? false;
    this.sendExpiresIn = options.sendExpiresIn ?? true;
  }

  get refreshCalls(): number {
    return this.requests.filter((r) => r.path === '/user/refresh').length;
  }

  /** Requests to protected routes, in order. */
  get apiRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.startsWith('/api'));
  }

  /**
   * Issues a new token pair (as the login/refresh body) for `subject` and makes it the valid one. Refreshes keep the
   * subject of the refresh token they rotate.
   */
  issue(subject = 'alice'): { access_token: string; refresh_token: string; token_type: string; expires_in?: number; refresh_expires_in: number } {
    this.seq++;
    const now = Math.floor(this.options.clock.now() / 1000);
    const access = this.opaque
      ? `opaque-access-${this.seq}`
      : makeJwt({ sub: subject, n: this.seq, iat: now, exp: now + this.accessTtl, typ: 'access' });
    const refresh = subject === 'alice' ? `refresh-${this.seq}` : `refresh-${subject}-${this.seq}`;
    this.validAccess.add(access);
    this.validRefresh.add(refresh);
    this.currentRefresh = refresh;
    const body: ReturnType<FakeAuthServer['issue']> = {
      access_token: access,
      refresh_token: refresh,
      token_type: 'Bearer',
      refresh_expires_in: 7 * 24 * 3600,
    };
    if (this.sendExpiresIn) body.expires_in = this.accessTtl;
    return body;
  }

  /** Makes every access token issued so far invalid (as if they expired). */
  expireAllAccess(): void {
    this.validAccess.clear();
  }

  readonly fetch: FetchLike = async (input, init) => {
    const request = toRequest(input, init);
    const recorded: RecordedRequest = {
      method: request.method,
      url: request.url,
      path: new URL(request.url).pathname,
      headers: Object.fromEntries(request.headers),
      body: request.body ? await request.text() : '',
      credentials: init?.credentials,
    };
    this.requests.push(recorded);
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    return this.respond(recorded, signal ?? undefined);
  };

  private async respond(req: RecordedRequest, signal: AbortSignal | undefined): Promise<Response> {
    if (req.method === 'POST' && req.path === '/user/login') {
      const body = JSON.parse(req.body) as { username?: string; password?: string };
      if ((body.username === 'alice' || body.username === 'bob') && body.password === 'secret') {
        return json(201, this.issue(body.username));
      }
      return json(401, { statusCode: 401, message: 'Invalid credentials', error: 'Unauthorized' });
    }
    if (req.method === 'POST' && req.path === '/user/refresh') {
      if (this.refreshGate) await waitOrAbort(this.refreshGate, signal);
      switch (this.refreshBehavior) {
        case 'reject':
          return json(401, { statusCode: 401, message: 'Refresh token revoked', error: 'Unauthorized' });
        case 'error500':
          return json(503, { statusCode: 503, message: 'Unavailable' });
        case 'network':
          throw new TypeError('fetch failed');
        case 'garbage':
          return new Response('<html>oops</html>', { status: 200, headers: { 'content-type': 'text/html' } });
        case 'hang':
          await waitOrAbort(new Promise<void>(() => {}), signal);
          throw new Error('unreachable');
        case 'rotate': {
          const body = JSON.parse(req.body || '{}') as { refresh_token?: string };
          const cookieMode = body.refresh_token === undefined;
          let answer: ReturnType<FakeAuthServer['issue']>;
          if (!cookieMode && !this.validRefresh.has(body.refresh_token!)) {
            const grace = this.options.reuseGraceSeconds;
            const rotation = this.lastRotation;
            if (grace === undefined) {
              return json(401, { statusCode: 401, message: 'Invalid refresh token', error: 'Unauthorized' });
            }
            if (rotation && rotation.previous === body.refresh_token && this.options.clock.now() - rotation.at <= grace * 1000) {
              answer = rotation.body;
            } else {
              this.reuseDetections++;
              this.validRefresh.clear();
              this.validAccess.clear();
              return json(401, { statusCode: 401, message: 'Refresh token reused', error: 'Unauthorized' });
            }
          } else {
            if (!cookieMode) this.validRefresh.delete(body.refresh_token!);
            answer = this.issue(subjectOf(body.refresh_token));
            if (!cookieMode) this.lastRotation = { previous: body.refresh_token!, at: this.options.clock.now(), body: answer };
          }
          if (this.dropRefreshAnswers > 0) {
            this.dropRefreshAnswers--;
            throw new TypeError('fetch failed');
          }
          if (this.holdRefreshAnswers) {
            await waitOrAbort(new Promise<void>(() => {}), signal);
          }
          return json(201, answer);
        }
      }
    }
    if (req.method === 'POST' && req.path === '/user/logout') return new Response(null, { status: 204 });
    if (req.path.startsWith('/api')) {
      const gate = this.apiGate?.(req);
      if (gate) await waitOrAbort(gate, signal);
      const auth = req.headers['authorization'] ?? '';
      const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
      if (!this.validAccess.has(token)) {
        return json(401, { statusCode: 401, message: 'Unauthorized', error: 'Unauthorized' });
      }
      return json(200, { ok: true, path: req.path, body: req.body, token });
    }
    return json(404, { statusCode: 404, message: 'Not Found' });
  }
}

/** The user a refresh token was issued to (`refresh-<user>-<n>`; plain `refresh-<n>` is alice's). */
function subjectOf(refreshToken: string | undefined): string {
  const match = /^refresh-([a-z]+)-\d+$/.exec(refreshToken ?? '');
  return match ? match[1]! : 'alice';
}

function toRequest(input: RequestInfo | URL, init: RequestInit | undefined): Request {
  if (input instanceof Request && !init) return input;
  // Streams (web streams, Node streams, async iterables) need duplex: 'half' in Node's Request constructor.
  const body = init?.body as unknown;
  const needsDuplex = body instanceof ReadableStream || (typeof body === 'object' && body !== null && Symbol.asyncIterator in body);
  return new Request(input, needsDuplex ? ({ ...init, duplex: 'half' } as RequestInit) : init);
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

function waitOrAbort(promise: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return promise;
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    promise.then(resolve, reject);
  });
}

/** In-process Web Locks: exclusive, FIFO, honours abort signals of waiting requests. */
export class FakeLockManager implements LockManagerLike {
  /** Number of lock requests made. */
  requests = 0;
  /** Number of times a lock was granted. */
  grants = 0;
  private readonly held = new Set<string>();
  private readonly queues = new Map<string, Array<() => void>>();

  async request<T>(
    name: string,
    options: { mode?: 'exclusive'; signal?: AbortSignal },
    callback: (lock: unknown) => Promise<T> | T,
  ): Promise<T> {
    this.requests++;
    await this.acquire(name, options.signal);
    this.grants++;
    try {
      return await callback({ name, mode: 'exclusive' });
    } finally {
      this.release(name);
    }
  }

  /** Takes the lock and never gives it back (a frozen tab). */
  holdForever(name: string): void {
    this.held.add(name);
  }

  private acquire(name: string, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(new DOMException('aborted', 'AbortError'));
    if (!this.held.has(name)) {
      this.held.add(name);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const queue = this.queues.get(name) ?? [];
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const q = this.queues.get(name) ?? [];
        this.queues.set(name, q.filter((g) => g !== grant));
        reject(new DOMException('The request was aborted', 'AbortError'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      queue.push(grant);
      this.queues.set(name, queue);
    });
  }

  private release(name: string): void {
    const next = this.queues.get(name)?.shift();
    if (next) next();
    else this.held.delete(name);
  }
}

/** In-process BroadcastChannel hub: channels of the same name receive each other's messages, asynchronously. */
export class FakeChannelHub {
  readonly sent: Array<{ name: string; data: unknown }> = [];
  private readonly channels = new Set<FakeChannel>();
  /** Deliveries held back by {@link pause}. */
  private held: Array<() => void> | null = null;

  /** Holds every message until {@link resume} (a tab whose messages arrive late). */
  pause(): void {
    this.held ??= [];
  }

  /** Delivers the held messages in order and stops holding. */
  resume(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const deliver of held) deliver();
  }

  readonly createChannel = (name: string): BroadcastChannelLike => {
    const channel = new FakeChannel(name, this);
    this.channels.add(channel);
    return channel;
  };

  deliver(from: FakeChannel, data: unknown): void {
    this.sent.push({ name: from.name, data });
    const copy = structuredClone(data);
    for (const channel of this.channels) {
      if (channel !== from && channel.name === from.name) {
        if (this.held) this.held.push(() => setImmediate(() => channel.dispatch(copy)));
        else setImmediate(() => channel.dispatch(copy));
      }
    }
  }

  remove(channel: FakeChannel): void {
    this.channels.delete(channel);
  }

  get openChannels(): number {
    return this.channels.size;
  }
}

class FakeChannel implements BroadcastChannelLike {
  private readonly listeners = new Set<(event: { data: unknown }) => void>();
  private closed = false;

  constructor(
    readonly name: string,
    private readonly hub: FakeChannelHub,
  ) {}

  postMessage(message: unknown): void {
    if (this.closed) throw new DOMException('closed', 'InvalidStateError');
    this.hub.deliver(this, message);
  }

  addEventListener(_type: 'message', listener: (event: { data: unknown }) => void): void {
    this.listeners.add(listener);
  }

  removeEventListener(_type: 'message', listener: (event: { data: unknown }) => void): void {
    this.listeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    this.hub.remove(this);
  }

  dispatch(data: unknown): void {
    if (this.closed) return;
    for (const listener of this.listeners) listener({ data });
  }
}
