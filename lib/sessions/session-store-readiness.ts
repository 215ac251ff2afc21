import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { SESSION_STORE, type SessionStore } from '../interfaces/session-store.interface.js';

/**
 * Runs the session store's optional `checkReady` once at startup, so a store that cannot work (a missing table) stops
 * the app with the store's explanation rather than answering 503 to every login.
 */
@Injectable()
export class SessionStoreReadiness implements OnApplicationBootstrap {
  constructor(@Inject(SESSION_STORE) private readonly store: SessionStore) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.store.checkReady?.();
  }
}
