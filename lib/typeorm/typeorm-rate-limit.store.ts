import { Logger } from '@nestjs/common';
import { RateLimiterMySQL, RateLimiterPostgres } from 'rate-limiter-flexible';
import type { DataSource } from 'typeorm';
import type { RateLimitCounter, RateLimitSettings, RateLimitStore } from '../interfaces/rate-limit-store.interface.js';

/** Options of {@link TypeOrmRateLimitStore}. */
export interface TypeOrmRateLimitStoreOptions {
  /** Table that holds the counters (created if missing; one table for every limit, keys carry the limit's prefix). @default 'dual_token_rate_limits' */
  tableName?: string;
}

/**
 * Login and refresh counters in the app's MySQL/MariaDB or PostgreSQL database, shared by every instance that uses
 * it: for deployments without Redis, so that N instances do not multiply the limits by N. Built on
 * rate-limiter-flexible's `RateLimiterMySQL` (an atomic `INSERT ... ON DUPLICATE KEY UPDATE` in a transaction per
 * attempt) or `RateLimiterPostgres` (an atomic `INSERT ... ON CONFLICT DO UPDATE ... RETURNING`) over the
 * DataSource's own connection pool, so it needs no second connection setting.
 *
 * Each attempt costs one short statement or transaction on the database; prefer `RedisRateLimitStore` when Redis is there.
 */
export class TypeOrmRateLimitStore implements RateLimitStore {
  private readonly logger = new Logger('DualTokenAuth');
  private readonly tableName: string;
  private readonly dialect: 'mysql' | 'postgres';

  /** @param dataSource an initialized DataSource on the `mysql`, `mariadb` or `postgres` driver */
  constructor(
    private readonly dataSource: DataSource,
    options: TypeOrmRateLimitStoreOptions = {},
  ) {
    const type = dataSource.options.type;
    if (type === 'mysql' || type === 'mariadb') this.dialect = 'mysql';
    else if (type === 'postgres') this.dialect = 'postgres';
    else throw new Error(`TypeOrmRateLimitStore needs a mysql, mariadb or postgres DataSource, got ${type}`);
    this.tableName = options.tableName ?? 'dual_token_rate_limits';
  }

  createLimiter(settings: RateLimitSettings): RateLimitCounter {
    let resolveTable!: (error?: Error) => void;
    const tableReady = new Promise<void>((resolve, reject) => {
      resolveTable = (error) => (error ? reject(error) : resolve());
    });
    tableReady.catch(() => undefined); // reported below; each attempt then fails with it (a 503)
    // Without a callback a failure to create the table is thrown from a promise and ends the process.
    const onTableCreated = (error?: Error) => {
      if (!error) return resolveTable();
      void this.tableExists().then((exists) => {
        if (exists) {
          // Another instance (or limit) created it at the same moment: PostgreSQL can fail one of two concurrent
          // CREATE TABLE IF NOT EXISTS with a unique violation in its catalog. The table is there, so count in it.
          (limiter as unknown as { tableCreated: boolean }).tableCreated = true;
          return resolveTable();
        }
        this.logger.error(`Rate-limit table ${this.tableName} could not be created: ${error.message}`);
        resolveTable(error);
      });
    };
    const limiter: RateLimiterMySQL | RateLimiterPostgres =
      this.dialect === 'postgres' ? this.postgresLimiter(settings, onTableCreated) : this.mysqlLimiter(settings, onTableCreated);
    // The limiter refuses every call until its table exists ("Table is not created yet"), which would make the first
    // logins after a start answer 503: wait for the table instead.
    return {
      consume: async (...args) => (await tableReady, limiter.consume(...args)),
      reward: async (...args) => (await tableReady, limiter.reward(...args)),
      delete: async (...args) => (await tableReady, limiter.delete(...args)),
    };
  }

  /** Whether the counters' table exists (checked after a failed creation); false when the database cannot say. */
  private async tableExists(): Promise<boolean> {
    try {
      const rows: Array<{ name: unknown }> =
        this.dialect === 'postgres'
          ? await this.dataSource.query('SELECT to_regclass($1) AS name', [this.postgresTableIdentifier()])
          : await this.dataSource.query('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?', [this.tableName]);
      return rows.length > 0 && rows[0]!.name !== null && rows[0]!.name !== undefined;
    } catch {
      return false;
    }
  }

  /** The table as PostgreSQL names it, schema-qualified when the DataSource sets a schema (what the limiter creates). */
  private postgresTableIdentifier(): string {
    const schema = (this.dataSource.options as { schema?: string }).schema;
    return schema ? `"${schema}"."${this.tableName}"` : `"${this.tableName}"`;
  }

  private mysqlLimiter(settings: RateLimitSettings, onTableCreated: (error?: Error) => void): RateLimiterMySQL {
    const driver = this.dataSource.driver as unknown as { pool: unknown; database?: string };
    return new RateLimiterMySQL(
      {
        storeClient: driver.pool,
        storeType: 'pool',
        dbName: driver.database ?? (this.dataSource.options as { database?: string }).database,
        tableName: this.tableName,
        keyPrefix: settings.keyPrefix,
        points: settings.points,
        duration: settings.duration,
        clearExpiredByTimeout: true,
      },
      onTableCreated,
    );
  }

  private postgresLimiter(settings: RateLimitSettings, onTableCreated: (error?: Error) => void): RateLimiterPostgres {
    // TypeORM's postgres driver keeps its pg Pool as `master` (replication slaves aside: counters must be written).
    const driver = this.dataSource.driver as unknown as { master: unknown };
    return new RateLimiterPostgres(
      {
        storeClient: driver.master,
        storeType: 'pool',
        schemaName: (this.dataSource.options as { schema?: string }).schema,
        tableName: this.tableName,
        keyPrefix: settings.keyPrefix,
        points: settings.points,
        duration: settings.duration,
        clearExpiredByTimeout: true,
      },
      onTableCreated,
    );
  }
}
