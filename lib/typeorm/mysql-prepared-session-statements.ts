import type { DataSource, EntityMetadata } from 'typeorm';
import type { RotationUpdate, SessionRecord, SessionRevocationReason } from '../interfaces/session-store.interface.js';

/** The part of mysql2's callback `Pool` used here (mysql2 is the app's dependency, not ours, so no import of its types). */
interface Mysql2Pool {
  execute(sql: string, values: unknown[], callback: (error: Error | null, result: unknown) => void): void;
}

/** What TypeORM's MysqlDriver (`mysql` and `mariadb` DataSources) exposes: its pool, and a pool cluster when replicated. */
interface TypeOrmMysqlDriver {
  pool?: Partial<Mysql2Pool>;
  poolCluster?: unknown;
}

/** A row of {@link MysqlPreparedSessionStatements.findById}'s SELECT, under the entity's property names. */
interface SessionRow {
  id: string;
  userId: string;
  generation: number | string;
  rotatedAt: number | string | bigint | null;
  createdAt: number | string | bigint;
  lastUsedAt: number | string | bigint;
  idleExpiresAt: number | string | bigint;
  absoluteExpiresAt: number | string | bigint;
  revokedAt: number | string | bigint | null;
  revokedReason: string | null;
  userAgent: string | null;
  ip: string | null;
}

const SELECTED_PROPERTIES: ReadonlyArray<keyof SessionRow> = [
  'id',
  'userId',
  'generation',
  'rotatedAt',
  'createdAt',
  'lastUsedAt',
  'idleExpiresAt',
  'absoluteExpiresAt',
  'revokedAt',
  'revokedReason',
  'userAgent',
  'ip',
];

/**
 * The statements of a refresh (the rotation's compare-and-set, and the session read that runs when it fails or when
 * the guard checks a session) as server-side prepared statements on mysql2's pool, for `mysql`/`mariadb` DataSources.
 *
 * Why not TypeORM: its query builder rebuilds and re-escapes the SQL, and maps the result through the entity
 * metadata, on every call; on the refresh route that cost more CPU than the rest of the request's own work. Here the
 * SQL is built once from the entity metadata, mysql2 prepares it once per pooled connection (its statement cache),
 * and every later call only sends the parameters. The statements still go through the DataSource's own pool (its
 * size, timeouts and credentials); they are not written to TypeORM's query log.
 */
export class MysqlPreparedSessionStatements {
  private readonly rotateSql: string;
  private readonly findByIdSql: string;

  private constructor(
    private readonly driver: TypeOrmMysqlDriver,
    metadata: EntityMetadata,
  ) {
    const column = (property: keyof SessionRow) => quote(metadata.findColumnWithPropertyName(property)!.databaseName);
    const table = metadata.tablePath.split('.').map(quote).join('.');
    const generation = column('generation');
    // Same conditions as the query-builder path of TypeOrmSessionStore.rotate: the row lock makes it a compare-and-set.
    this.rotateSql =
      `UPDATE ${table} SET ${generation} = ${generation} + 1, ${column('rotatedAt')} = ?, ${column('lastUsedAt')} = ?, ` +
      `${column('idleExpiresAt')} = ? WHERE ${column('id')} = ? AND ${column('userId')} = ? AND ${generation} = ? ` +
      `AND ${column('revokedAt')} IS NULL AND ${column('idleExpiresAt')} > ? AND ${column('absoluteExpiresAt')} > ?`;
    const selected = SELECTED_PROPERTIES.map((property) => `${column(property)} AS ${quote(property)}`).join(', ');
    this.findByIdSql = `SELECT ${selected} FROM ${table} WHERE ${column('id')} = ?`;
  }

  /**
   * The statements for an initialized DataSource, or `undefined` when it is not MySQL/MariaDB on mysql2 with a single
   * pool (a replicated DataSource routes writes itself; the old `mysql` package has no prepared statements): the
   * caller then keeps to TypeORM.
   */
  static forDataSource(dataSource: DataSource, metadata: EntityMetadata): MysqlPreparedSessionStatements | undefined {
    const { type } = dataSource.options;
    if (type !== 'mysql' && type !== 'mariadb') return undefined;
    const driver = dataSource.driver as unknown as TypeOrmMysqlDriver;
    if (driver.poolCluster !== undefined || typeof driver.pool?.execute !== 'function') return undefined;
    return new MysqlPreparedSessionStatements(driver, metadata);
  }

  /** {@link TypeOrmSessionStore.rotate} in one prepared UPDATE: whether this call advanced the generation. */
  async rotate(sessionId: string, expectedGeneration: number, update: RotationUpdate): Promise<boolean> {
    // Instants as epoch milliseconds, as the entity stores them (integers below 2^53, exact whichever way mysql2 sends them).
    const now = update.now.getTime();
    const result = await this.execute<{ affectedRows: number }>(this.rotateSql, [
      now,
      now,
      update.idleExpiresAt.getTime(),
      sessionId,
      update.userId,
      expectedGeneration,
      now,
      now,
    ]);
    return result.affectedRows === 1;
  }

  /** {@link TypeOrmSessionStore.findById} in one prepared SELECT. */
  async findById(sessionId: string): Promise<SessionRecord | null> {
    const rows = await this.execute<SessionRow[]>(this.findByIdSql, [sessionId]);
    return rows.length === 0 ? null : toRecord(rows[0]!);
  }

  private execute<T>(sql: string, values: unknown[]): Promise<T> {
    // Read on every call, not kept: the pool is created by DataSource.initialize() and replaced by a re-initialize.
    const pool = this.driver.pool as Mysql2Pool;
    // The callback API: mysql2's promise wrapper captures a stack trace for every query, a visible cost on this path.
    return new Promise<T>((resolve, reject) => {
      pool.execute(sql, values, (error, result) => (error ? reject(error) : resolve(result as T)));
    });
  }
}

function quote(identifier: string): string {
  return `\`${identifier.replace(/`/g, '``')}\``;
}

/** BIGINT columns arrive as strings (TypeORM sets mysql2's `bigNumberStrings`), or numbers if an app overrides that. */
function instant(value: number | string | bigint): Date {
  return new Date(Number(value));
}

function toRecord(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    userId: row.userId,
    generation: Number(row.generation),
    rotatedAt: row.rotatedAt === null ? null : instant(row.rotatedAt),
    createdAt: instant(row.createdAt),
    lastUsedAt: instant(row.lastUsedAt),
    idleExpiresAt: instant(row.idleExpiresAt),
    absoluteExpiresAt: instant(row.absoluteExpiresAt),
    revokedAt: row.revokedAt === null ? null : instant(row.revokedAt),
    // Written only by revoke() and revokeAllForUser(), which take a SessionRevocationReason.
    revokedReason: row.revokedReason as SessionRevocationReason | null,
    userAgent: row.userAgent,
    ip: row.ip,
  };
}
