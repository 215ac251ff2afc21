import type { InvalidTokenReason } from '../exceptions/invalid-token.error.js';
import type { SessionRejectionReason } from '../exceptions/session-rejected.error.js';
import type { SessionRevocationReason } from './session-store.interface.js';

/**
 * Structured audit events. They never contain a token, a password or a hash. `username` in `login.failed` and
 * `login.throttled` is what the client typed (it may not exist).
 */
export type DualTokenAuthEvent =
  | { type: 'login.succeeded'; at: Date; userId: string; sessionId: string; ip: string | null; userAgent: string | null }
  | { type: 'login.failed'; at: Date; username: string; ip: string | null; userAgent: string | null }
  | { type: 'login.throttled'; at: Date; username: string; ip: string | null; retryAfterSeconds: number }
  | { type: 'token.refreshed'; at: Date; userId: string; sessionId: string; generation: number; withinGrace: boolean }
  | { type: 'refresh.rejected'; at: Date; reason: InvalidTokenReason | SessionRejectionReason; sessionId?: string }
  | { type: 'refresh.reuse-detected'; at: Date; userId: string; sessionId: string; presentedGeneration: number; currentGeneration: number }
  | { type: 'refresh.throttled'; at: Date; ip: string | null; retryAfterSeconds: number }
  | { type: 'session.revoked'; at: Date; sessionId: string; userId?: string; reason: SessionRevocationReason };

/** Receives every {@link DualTokenAuthEvent}; errors it throws are logged and never affect the request. */
export type DualTokenAuthEventListener = (event: DualTokenAuthEvent) => void | Promise<void>;
