/**
 * Carries revocations between app instances, so that a logout on one instance makes the session's access tokens fail
 * on every instance at once (with `rejectRevokedAccessTokens`), instead of after up to `revocationCheckCacheSeconds`.
 *
 * Delivery may be lossy (a message sent while an instance is reconnecting is lost): the cached answers still expire
 * after `revocationCheckCacheSeconds`, so polling the session store remains the fallback and the bound.
 */
export interface SessionRevocationBus {
  /**
   * Announces sessions this instance has just revoked (the store has accepted the revocation). Called on request
   * paths: it must not throw or wait for the network (send in the background and log failures).
   */
  publish(sessionIds: readonly string[]): void;
  /**
   * Registers the handler for sessions revoked by *other* instances; called once when the module starts. An
   * implementation does not echo an instance's own announcements back to it (they are recorded locally already).
   */
  subscribe(onRevoked: (sessionIds: readonly string[]) => void): void;
}

/** Injection token under which the configured {@link SessionRevocationBus} is available. */
export const SESSION_REVOCATION_BUS = Symbol('DUAL_TOKEN_AUTH:SESSION_REVOCATION_BUS');
