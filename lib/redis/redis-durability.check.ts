import { Logger } from '@nestjs/common';
import { once } from 'node:events';
import type { Cluster, Redis } from 'ioredis';
import type { RedisClient } from './redis-client.js';

/** What {@link checkRedisDurability} found. */
export interface RedisDurabilityReport {
  /** Every server runs with `appendonly yes` and `maxmemory-policy noeviction`. */
  durable: boolean;
  /** One sentence per setting that puts sessions at risk (or that could not be read), naming the server. */
  problems: string[];
}

/**
 * Settings a session store needs: with AOF off, a restart loses every session written since the last RDB snapshot
 * (users are logged out, and a revoked session could come back from an older snapshot); with an evicting
 * `maxmemory-policy`, memory pressure silently deletes sessions.
 */
const REQUIRED_SETTINGS: Record<string, string> = { appendonly: 'yes', 'maxmemory-policy': 'noeviction' };

/**
 * Reads `appendonly` and `maxmemory-policy` from the server (from every master of a Cluster) and logs a warning for
 * each that is not durable. Never throws: managed services that disable `CONFIG` get a warning saying the settings
 * could not be checked.
 */
export async function checkRedisDurability(
  redis: RedisClient,
  logger: Pick<Logger, 'warn'> = new Logger('DualTokenAuth'),
): Promise<RedisDurabilityReport> {
  const problems: string[] = [];
  // A Cluster client knows its masters only once it has read the slot map.
  if (isCluster(redis) && redis.status !== 'ready') {
    try {
      await once(redis, 'ready');
    } catch (error) {
      const problem = `Redis Cluster: could not check durability settings (${(error as Error).message})`;
      logger.warn(problem);
      return { durable: false, problems: [problem] };
    }
  }
  const servers: Redis[] = isCluster(redis) ? redis.nodes('master') : [redis];
  await Promise.all(
    servers.map(async (server) => {
      const name = `${server.options.host ?? 'localhost'}:${server.options.port ?? 6379}`;
      for (const [setting, required] of Object.entries(REQUIRED_SETTINGS)) {
        try {
          const [, value] = (await server.config('GET', setting)) as [string, string];
          if (value !== required) problems.push(`Redis ${name} has ${setting} ${value}; sessions need ${setting} ${required}`);
        } catch (error) {
          problems.push(`Redis ${name}: could not read ${setting} (${(error as Error).message}); sessions need ${setting} ${required}`);
        }
      }
    }),
  );
  for (const problem of problems) {
    logger.warn(`${problem}. Without it a Redis restart or memory pressure can log users out or revive revoked sessions.`);
  }
  return { durable: problems.length === 0, problems };
}

function isCluster(redis: RedisClient): redis is Cluster {
  return redis.isCluster;
}
