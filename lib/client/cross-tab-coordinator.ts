import type { Clock } from './clock.js';
import type { CrossTabPayload } from './session-sync.interface.js';

/**
 * The subset of the Web Locks API (`navigator.locks`) the client needs. Only exclusive locks with an abort signal
 * are used, which every browser that has Web Locks supports.
 */
export interface LockManagerLike {
  request<T>(
    name: string,
    options: { mode?: 'exclusive'; signal?: AbortSignal },
    callback: (lock: unknown) => Promise<T> | T,
  ): Promise<T>;
}

/** The subset of `BroadcastChannel` the client needs. */
export interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  close(): void;
}

/**
 * Cross-tab coordination options. Everything is feature-detected: without Web Locks the refresh is only
 * single-flight per tab (the server's grace window absorbs the rare parallel refresh), without BroadcastChannel the
 * `storage` event of the token storage (if any) is used to learn about changes.
 */
export interface CrossTabOptions {
  /**
   * Name of the Web Lock that serialises refreshes across tabs.
   * @default `${channelName}:refresh`
   */
  lockName?: string;
  /**
   * Name of the BroadcastChannel used to tell other tabs about new tokens and logout.
   * @default `${storage.key}:sync` (`dual-token-auth:sync` when the storage has no key)
   */
  channelName?: string;
  /**
   * How long to wait for the refresh lock, in milliseconds. When it elapses (a frozen or stuck tab holds the lock)
   * this tab refreshes without the lock rather than freezing authentication.
   * @default refreshTimeoutMs (5000)
   */
  lockTimeoutMs?: number;
  /**
   * Lock manager to use; `null` disables cross-tab locking.
   * @default globalThis.navigator?.locks
   */
  locks?: LockManagerLike | null;
  /**
   * Creates the broadcast channel; `null` disables broadcasting.
   * @default (name) => new BroadcastChannel(name) when BroadcastChannel exists
   */
  createChannel?: ((name: string) => BroadcastChannelLike) | null;
}

/** A {@link CrossTabPayload} tagged with the sending coordinator's id. */
export type CrossTabMessage = CrossTabPayload & { readonly sender: string };

/** Resolved settings of one coordinator. */
export interface CrossTabCoordinatorConfig {
  readonly lockName: string;
  readonly channelName: string;
  readonly lockTimeoutMs: number;
  readonly locks: LockManagerLike | null;
  readonly createChannel: ((name: string) => BroadcastChannelLike) | null;
  readonly clock: Clock;
  readonly onMessage: (message: CrossTabMessage) => void;
}

/**
 * Serialises refreshes across tabs with a Web Lock and relays token changes over a BroadcastChannel.
 * One coordinator belongs to one session; nothing is shared at module level.
 */
export class CrossTabCoordinator {
  /** Random id so a tab can ignore its own messages (test doubles may echo them). */
  readonly id = Math.random().toString(36).slice(2) + Date.now().toString(36);
  private channel: BroadcastChannelLike | null = null;
  private readonly onChannelMessage = (event: { data: unknown }): void => {
    const message = event.data;
    if (isCrossTabMessage(message) && message.sender !== this.id) this.config.onMessage(message);
  };

  constructor(private readonly config: CrossTabCoordinatorConfig) {
    if (config.createChannel) {
      try {
        this.channel = config.createChannel(config.channelName);
        this.channel.addEventListener('message', this.onChannelMessage);
        // Node's BroadcastChannel keeps the event loop alive; a session must never do that on its own.
        (this.channel as { unref?: () => void }).unref?.();
      } catch {
        this.channel = null;
      }
    }
  }

  /** True when messages can reach other tabs. */
  get canBroadcast(): boolean {
    return this.channel !== null;
  }

  /**
   * Runs `fn` while holding the cross-tab refresh lock. If the lock is unavailable (no Web Locks, error) or cannot
   * be obtained within `lockTimeoutMs`, `fn` runs anyway: a stuck tab must never block authentication in the others.
   */
  async withRefreshLock<T>(fn: () => Promise<T>): Promise<T> {
    const { locks, lockName, lockTimeoutMs, clock } = this.config;
    if (!locks) return fn();
    const controller = new AbortController();
    const timer = clock.setTimeout(() => controller.abort(), lockTimeoutMs);
    let granted = false;
    try {
      return await locks.request(lockName, { mode: 'exclusive', signal: controller.signal }, () => {
        granted = true;
        clock.clearTimeout(timer);
        return fn();
      });
    } catch (error) {
      // Errors thrown by fn itself propagate unchanged. Failing to obtain the lock (our timeout aborted the request,
      // or e.g. a SecurityError in an opaque origin) falls through: locking is an optimisation, not a requirement.
      if (granted) throw error;
      return fn();
    } finally {
      clock.clearTimeout(timer);
    }
  }

  /** Sends a message to the other tabs (best-effort). */
  publish(message: CrossTabPayload): void {
    if (!this.channel) return;
    try {
      this.channel.postMessage({ ...message, sender: this.id });
    } catch {
      // A closed channel or a non-cloneable payload must not break the session.
    }
  }

  /** Stops listening and closes the channel. */
  close(): void {
    if (!this.channel) return;
    this.channel.removeEventListener('message', this.onChannelMessage);
    try {
      this.channel.close();
    } catch {
      // already closed
    }
    this.channel = null;
  }
}

function isCrossTabMessage(value: unknown): value is CrossTabMessage {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (typeof v['sender'] !== 'string') return false;
  if (v['type'] === 'tokens') return hasAccessToken(v['tokens']) && (v['from'] === undefined || hasAccessToken(v['from']));
  return (
    v['type'] === 'cleared' &&
    (v['reason'] === 'logout' || v['reason'] === 'ended') &&
    (v['tokens'] === undefined || hasAccessToken(v['tokens']))
  );
}

function hasAccessToken(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)['accessToken'] === 'string';
}

/** `navigator.locks` when the runtime has Web Locks, else null. */
export function detectLockManager(): LockManagerLike | null {
  try {
    const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
    return locks && typeof locks.request === 'function' ? locks : null;
  } catch {
    return null;
  }
}

/** A BroadcastChannel factory when the runtime has BroadcastChannel, else null. */
export function detectChannelFactory(): ((name: string) => BroadcastChannelLike) | null {
  const Ctor = (globalThis as { BroadcastChannel?: new (name: string) => BroadcastChannelLike }).BroadcastChannel;
  return typeof Ctor === 'function' ? (name) => new Ctor(name) : null;
}
