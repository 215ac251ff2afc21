import { Logger, type Provider } from '@nestjs/common';
import { resolveAuthConfig } from './config/resolve-auth-config.js';
import { AUTH_CONFIG, type ResolvedAuthConfig } from './config/resolved-auth-config.js';
import { DUAL_TOKEN_AUTH_OPTIONS } from './dual-token-auth.module-definition.js';
import type { DualTokenAuthOptions } from './interfaces/dual-token-auth-options.interface.js';
import { SESSION_REVOCATION_BUS, type SessionRevocationBus } from './interfaces/session-revocation-bus.interface.js';
import { SESSION_STORE, type SessionStore } from './interfaces/session-store.interface.js';
import { USER_LOOKUP } from './interfaces/user-lookup.interface.js';
import { RATE_LIMIT_STORE, type RateLimitStore } from './interfaces/rate-limit-store.interface.js';
import { InMemoryRateLimitStore } from './rate-limiting/in-memory-rate-limit.store.js';
import { LocalSessionRevocationBus } from './sessions/local-session-revocation.bus.js';
import { InMemorySessionStore } from './stores/in-memory-session.store.js';

/** The options, resolved and checked once at startup (a bad option stops the app with a message naming it). */
export const authConfigProvider: Provider = {
  provide: AUTH_CONFIG,
  useFactory: resolveAuthConfig,
  inject: [DUAL_TOKEN_AUTH_OPTIONS],
};

/** The user lookup given in the options (required; `resolveAuthConfig` refuses options without one). */
export const userLookupProvider: Provider = {
  provide: USER_LOOKUP,
  useFactory: (options: DualTokenAuthOptions) => options.userLookup,
  // AUTH_CONFIG first, so a missing lookup is reported by the options check rather than as a DI error.
  inject: [DUAL_TOKEN_AUTH_OPTIONS, AUTH_CONFIG],
};

/** The session store given in the options, or else an in-memory one (with a warning in production). */
export const sessionStoreProvider: Provider = {
  provide: SESSION_STORE,
  useFactory: (options: DualTokenAuthOptions, config: ResolvedAuthConfig) => sessionStoreOrDefault(options, config.production),
  inject: [DUAL_TOKEN_AUTH_OPTIONS, AUTH_CONFIG],
};

/**
 * The rate-limit store given in the options, or else in-memory counters. No warning in production: one instance on
 * memory counters is sound; the README says what several instances need.
 */
export const rateLimitStoreProvider: Provider = {
  provide: RATE_LIMIT_STORE,
  useFactory: (options: DualTokenAuthOptions): RateLimitStore => options.rateLimitStore ?? new InMemoryRateLimitStore(),
  inject: [DUAL_TOKEN_AUTH_OPTIONS, AUTH_CONFIG],
};

/** The revocation bus given in the options, or else one that tells no one (single instance; polling across several). */
export const sessionRevocationBusProvider: Provider = {
  provide: SESSION_REVOCATION_BUS,
  useFactory: (options: DualTokenAuthOptions): SessionRevocationBus =>
    options.sessionRevocationBus ?? new LocalSessionRevocationBus(),
  inject: [DUAL_TOKEN_AUTH_OPTIONS, AUTH_CONFIG],
};

/** Like `@nestjs/throttler`'s storage: the option when given, the in-memory default otherwise. */
export function sessionStoreOrDefault(options: Pick<DualTokenAuthOptions, 'sessionStore'>, production: boolean): SessionStore {
  if (options.sessionStore) return options.sessionStore;
  if (production) {
    new Logger('DualTokenAuthModule').warn(
      'No sessionStore configured: sessions are kept in memory, are lost on restart and are not shared between ' +
        'instances. Use TypeOrmSessionStore from nestjs-dual-token-auth/typeorm or your own SessionStore.',
    );
  }
  return new InMemorySessionStore();
}
