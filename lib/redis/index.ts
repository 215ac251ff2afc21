// nestjs-dual-token-auth/redis: sessions and revocation push on Redis (single server or Cluster) through ioredis.
// A separate entry point so that apps without Redis never load ioredis (it is an optional peer dependency).
export type { RedisClient } from './redis-client.js';
export { RedisSessionStore, type RedisSessionStoreOptions } from './redis-session.store.js';
export { checkRedisDurability, type RedisDurabilityReport } from './redis-durability.check.js';
export { RedisSessionRevocationBus, type RedisSessionRevocationBusOptions } from './redis-session-revocation.bus.js';
export { RedisRateLimitStore, type RedisRateLimitStoreOptions } from './redis-rate-limit.store.js';
