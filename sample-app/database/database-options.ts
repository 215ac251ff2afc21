import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { CreateDualTokenSessions1764200000000, DualTokenSessionEntity } from 'nestjs-dual-token-auth/typeorm';
import type { SampleConfig } from '../config/sample-config.js';
import { SampleConfigError } from '../config/sample-config.js';
import { User } from '../user/user.entity.js';
import { CreateUsers1764100000000 } from './migrations/1764100000000-create-users.js';

const entities = [User, DualTokenSessionEntity];
const migrations = [CreateUsers1764100000000, CreateDualTokenSessions1764200000000];

/**
 * MySQL when `DATABASE_URL` is set, otherwise an embedded SQLite file through sql.js (WebAssembly: nothing to compile
 * or install). Both create their schema with migrations at startup, the way the tutorial's later chapters recommend
 * for production, so the two databases never drift apart.
 */
export function databaseOptions(config: SampleConfig): DataSourceOptions {
  if (config.databaseUrl) {
    let url: URL;
    try {
      url = new URL(config.databaseUrl);
    } catch {
      throw new SampleConfigError('DATABASE_URL must look like mysql://user:pass@host:3306/db');
    }
    if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:') {
      throw new SampleConfigError(`DATABASE_URL must be a mysql:// URL, got protocol ${url.protocol}`);
    }
    url.protocol = 'mysql:';
    return {
      type: 'mysql',
      url: url.toString(),
      entities,
      migrations,
      migrationsRun: true,
      synchronize: false,
      // Fail fast instead of queueing requests forever while the database is unreachable.
      connectTimeout: 5000,
      extra: { connectionLimit: 10, enableKeepAlive: true },
    };
  }
  mkdirSync(dirname(config.sqlitePath), { recursive: true });
  return {
    type: 'sqljs',
    location: config.sqlitePath,
    autoSave: true,
    entities,
    migrations,
    migrationsRun: true,
    synchronize: false,
  };
}
