import type { SessionRevocationBus } from '../interfaces/session-revocation-bus.interface.js';

/**
 * The default {@link SessionRevocationBus}: tells no one. Right for a single instance (its own revocations take effect
 * at once); with several instances, others see a revocation when their cached answer expires
 * (`revocationCheckCacheSeconds`). `RedisSessionRevocationBus` from `nestjs-dual-token-auth/redis` pushes it instead.
 */
export class LocalSessionRevocationBus implements SessionRevocationBus {
  publish(): void {}

  subscribe(): void {}
}
