import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { SESSION_STORE, type SessionStore } from '../interfaces/session-store.interface.js';

/** How often expired sessions are purged in the background, and how many per statement. */
const PURGE_INTERVAL_MS = 10 * 60_000;
const PURGE_BATCH_SIZE = 500;

/**
 * Deletes expired sessions in the background, in batches, so the session table does not grow forever. Never on a
 * request path. Stores whose records expire by themselves may make `deleteExpired` a no-op.
 */
@Injectable()
export class ExpiredSessionPurger implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('DualTokenAuth');
  private timer?: NodeJS.Timeout;

  constructor(@Inject(SESSION_STORE) private readonly store: SessionStore) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.purge(), PURGE_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Deletes every session expired by now, batch by batch; returns how many. A failing store is logged, not thrown. */
  async purge(): Promise<number> {
    let total = 0;
    try {
      for (;;) {
        const deleted = await this.store.deleteExpired(new Date(), PURGE_BATCH_SIZE);
        total += deleted;
        if (deleted < PURGE_BATCH_SIZE) return total;
      }
    } catch (error) {
      this.logger.warn(`Purging expired sessions failed: ${(error as Error).message}`);
      return total;
    }
  }
}
