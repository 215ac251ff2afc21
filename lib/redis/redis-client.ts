import type { Cluster, Redis } from 'ioredis';

/**
 * An ioredis connection: a single server (`new Redis(url)`) or a Redis Cluster (`new Cluster(nodes)`). The caller owns
 * it (creates, connects and closes it); the Redis parts of this library only send commands through it.
 */
export type RedisClient = Redis | Cluster;
