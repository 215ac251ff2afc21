import type { SessionConfig } from './session-config.interface.js';
import type { SessionState } from './session-state.js';
import type { SessionSync } from './session-sync.interface.js';

/** What a {@link CrossTabPlugin} is installed into: the session's resolved options, its state, its restore promise. */
export interface SessionSyncHost {
  readonly config: SessionConfig;
  readonly state: SessionState;
  /** Resolves once the state was restored from storage. */
  readonly ready: () => Promise<void>;
}

/** Installs a {@link SessionSync} into a session: what the `crossTab` option takes (see `crossTabSync()`). */
export type CrossTabPlugin = (host: SessionSyncHost) => SessionSync;
