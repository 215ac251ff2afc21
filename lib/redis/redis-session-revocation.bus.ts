import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { SessionRevocationBus } from '../interfaces/session-revocation-bus.interface.js';
import type { RedisClient } from './redis-client.js';

/** Options of {@link RedisSessionRevocationBus}. */
export interface RedisSessionRevocationBusOptions {
  /**
   * Pub/sub channel of the revocation messages; every instance of one app must use the same, different apps different
   * ones.
   * @default 'dta:session-revocations'
   */
  channel?: string;
}

const MAX_IDS_PER_MESSAGE = 1000;

/** One message: who sent it (so an instance ignores its own) and which sessions were revoked. */
interface RevocationMessage {
  from: string;
  ids: string[];
}

/**
 * Revocation push over Redis pub/sub: each instance publishes the sessions it revoked and marks the ones others
 * revoked in its own cache, so a logout is enforced by every instance within a message's latency instead of
 * `revocationCheckCacheSeconds`. Pass it as the `sessionRevocationBus` option.
 *
 * Revocations made in the same tick (a logout-all) go out together, up to 1000 sessions per message. Pub/sub does
 * not queue for an instance that is reconnecting; the cache expiry (`revocationCheckCacheSeconds`) bounds what such an
 * instance misses. ioredis resubscribes by itself after a reconnect.
 *
 * Subscribing needs its own connection: the bus opens it with `redis.duplicate()` and closes it on application
 * shutdown (or {@link RedisSessionRevocationBus.close}); the client passed in stays the app's to close.
 */
export class RedisSessionRevocationBus implements SessionRevocationBus, OnApplicationShutdown {
  /** Resolves once this instance receives messages (the subscription is confirmed by Redis). */
  readonly ready: Promise<void>;
  private readonly logger = new Logger('DualTokenAuth');
  private readonly instanceId = randomUUID();
  private readonly channel: string;
  private readonly subscriber: RedisClient;
  private readonly handlers: ((sessionIds: readonly string[]) => void)[] = [];
  private outgoing: string[] = [];

  constructor(
    private readonly redis: RedisClient,
    options: RedisSessionRevocationBusOptions = {},
  ) {
    this.channel = options.channel ?? 'dta:session-revocations';
    this.subscriber = redis.duplicate();
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.receive(message);
    });
    // Errors are reported by ioredis's reconnect loop; an unhandled 'error' event would crash the process.
    this.subscriber.on('error', (error: Error) => this.logger.warn(`Revocation bus connection: ${error.message}`));
    this.ready = this.subscriber.subscribe(this.channel).then(
      () => undefined,
      (error: Error) => this.logger.warn(`Revocation bus could not subscribe (polling only): ${error.message}`),
    );
  }

  publish(sessionIds: readonly string[]): void {
    if (this.outgoing.length === 0) queueMicrotask(() => this.flush());
    this.outgoing.push(...sessionIds);
  }

  subscribe(onRevoked: (sessionIds: readonly string[]) => void): void {
    this.handlers.push(onRevoked);
  }

  /** Closes the subscriber connection (the client passed to the constructor is left open). */
  async close(): Promise<void> {
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private flush(): void {
    const pending = this.outgoing;
    this.outgoing = [];
    // A logout-all of tens of thousands of sessions goes out in messages of bounded size (about 40 KB each).
    for (let start = 0; start < pending.length; start += MAX_IDS_PER_MESSAGE) {
      const ids = pending.slice(start, start + MAX_IDS_PER_MESSAGE);
      const message: RevocationMessage = { from: this.instanceId, ids };
      this.redis.publish(this.channel, JSON.stringify(message)).catch((error: Error) => {
        this.logger.warn(`Revocation of ${ids.length} session(s) not pushed (other instances poll): ${error.message}`);
      });
    }
  }

  private receive(raw: string): void {
    let message: RevocationMessage;
    try {
      message = JSON.parse(raw) as RevocationMessage;
    } catch {
      return;
    }
    if (message.from === this.instanceId || !Array.isArray(message.ids)) return;
    for (const handler of this.handlers) handler(message.ids);
  }
}
