import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import { CreateDualTokenSessions1764200000000, DualTokenSessionEntity } from 'nestjs-dual-token-auth/typeorm';
import { User } from '../user/user.entity.js';
import { CreateUsers1764100000000 } from './migrations/1764100000000-create-users.js';
import { AddUserRoles1764300000000 } from './migrations/1764300000000-add-user-roles.js';

const entities = [User, DualTokenSessionEntity];
const migrations = [CreateUsers1764100000000, CreateDualTokenSessions1764200000000, AddUserRoles1764300000000];

/**
 * MySQL or PostgreSQL when `DATABASE_URL` is set (by its protocol), otherwise an embedded SQLite file through sql.js
 * (WebAssembly: nothing to compile or install). All three create their schema with the same migrations at startup, the
 * way the tutorial's later chapters recommend for production, so the databases never drift apart.
 */
export function databaseOptions(databaseUrl: string | undefined, sqlitePath: string): DataSourceOptions {
  if (databaseUrl) {
    // Validated at startup as a mysql://, mariadb://, postgres:// or postgresql:// URL.
    const url = new URL(databaseUrl);
    if (url.protocol === 'postgres:' || url.protocol === 'postgresql:') {
      return {
        type: 'postgres',
        url: databaseUrl,
        entities,
        migrations,
        migrationsRun: true,
        synchronize: false,
        // pg's Pool options: fail fast instead of queueing requests forever while the database is unreachable.
        extra: { max: 10, connectionTimeoutMillis: 5000, keepAlive: true },
      };
    }
    // TypeORM's mysql driver speaks to MariaDB too.
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
  mkdirSync(dirname(sqlitePath), { recursive: true });
  return {
    type: 'sqljs',
    location: sqlitePath,
    autoSave: true,
    entities,
    migrations,
    migrationsRun: true,
    synchronize: false,
  };
}
