import { In, IsNull, LessThanOrEqual, MoreThan, type DataSource, type Repository } from 'typeorm';
import type {
  NewSessionRecord,
  RotationUpdate,
  SessionRecord,
  SessionRevocationReason,
  SessionStore,
} from '../interfaces/session-store.interface.js';
import { MysqlPreparedSessionStatements } from './mysql-prepared-session-statements.js';
import { DualTokenSessionEntity } from './session.entity.js';

/** Upper bound on the sessions listed for one user; a user with more has bigger problems than a short list. */
const MAX_LISTED_SESSIONS = 100;

/** Ids per `UPDATE ... WHERE id IN (...)`, well below every driver's bound-parameter limit. */
const REVOKE_BATCH_SIZE = 500;

/**
 * {@link SessionStore} on TypeORM (MySQL/MariaDB, PostgreSQL, SQLite). Rotation is one conditional `UPDATE ... WHERE
 * id = ? AND generation = ? AND revoked_at IS NULL` (and not expired): the database's row lock makes it a compare-and-set, so any number of
 * app instances sharing the database can refresh the same family concurrently without forking it.
 *
 * On MySQL/MariaDB (mysql2) the statements of a refresh, `rotate` and `findById`, skip TypeORM's query builder and run
 * as prepared statements on the DataSource's pool ({@link MysqlPreparedSessionStatements}); every other statement,
 * and every other database, goes through TypeORM.
 */
export class TypeOrmSessionStore implements SessionStore {
  private readonly repository: Repository<DualTokenSessionEntity>;
  /** Decided on first use, once the DataSource is initialized; `null` when this DataSource keeps to TypeORM. */
  private prepared: MysqlPreparedSessionStatements | null | undefined;

  /** @param dataSource a DataSource whose `entities` include {@link DualTokenSessionEntity} */
  constructor(private readonly dataSource: DataSource) {
    this.repository = dataSource.getRepository(DualTokenSessionEntity);
  }

  /** Refuses to start without the sessions table, naming the migration that creates it. */
  async checkReady(): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    let exists: boolean;
    try {
      exists = await runner.hasTable(this.repository.metadata.tablePath);
    } catch {
      return; // unreachable right now: requests answer 503 until it is back
    } finally {
      await runner.release();
    }
    if (!exists) {
      throw new Error(
        `TypeOrmSessionStore: the table "${this.repository.metadata.tablePath}" does not exist. Add ` +
          `CreateDualTokenSessions1764200000000 (from nestjs-dual-token-auth/typeorm) to your DataSource's migrations ` +
          `with migrationsRun: true (or run it with the TypeORM CLI); in development, synchronize: true also creates it.`,
      );
    }
  }

  async create(session: NewSessionRecord): Promise<SessionRecord> {
    const entity = this.repository.create({
      ...session,
      generation: 0,
      rotatedAt: null,
      revokedAt: null,
      revokedReason: null,
    });
    await this.repository.insert(entity);
    return toRecord(entity);
  }

  async findById(sessionId: string): Promise<SessionRecord | null> {
    const prepared = this.preparedStatements();
    if (prepared) return prepared.findById(sessionId);
    const entity = await this.repository.findOneBy({ id: sessionId });
    return entity ? toRecord(entity) : null;
  }

  async rotate(sessionId: string, expectedGeneration: number, update: RotationUpdate): Promise<boolean> {
    const prepared = this.preparedStatements();
    if (prepared) return prepared.rotate(sessionId, expectedGeneration, update);
    const result = await this.repository
      .createQueryBuilder()
      .update(DualTokenSessionEntity)
      .set({
        generation: () => 'generation + 1',
        rotatedAt: update.now,
        lastUsedAt: update.now,
        idleExpiresAt: update.idleExpiresAt,
      })
      .where('id = :id', { id: sessionId })
      .andWhere('user_id = :userId', { userId: update.userId })
      .andWhere('generation = :generation', { generation: expectedGeneration })
      .andWhere('revoked_at IS NULL')
      // Epoch milliseconds: the entity's transformer does not apply to raw WHERE parameters.
      .andWhere('idle_expires_at > :now', { now: update.now.getTime() })
      .andWhere('absolute_expires_at > :now')
      .execute();
    return result.affected === 1;
  }

  async revoke(sessionId: string, reason: SessionRevocationReason, now: Date): Promise<boolean> {
    const result = await this.repository.update(
      { id: sessionId, revokedAt: IsNull() },
      { revokedAt: now, revokedReason: reason },
    );
    return result.affected === 1;
  }

  async revokeAllForUser(userId: string, reason: SessionRevocationReason, now: Date): Promise<string[]> {
    const live = await this.repository.find({ select: { id: true }, where: { userId, revokedAt: IsNull() } });
    if (live.length === 0) return [];
    // One set-based statement: an `IN (...)` list of every id fails for users with tens of thousands of sessions
    // ("too many SQL variables"). Sessions created after the read above are revoked too; harmless, and rare.
    await this.repository.update({ userId, revokedAt: IsNull() }, { revokedAt: now, revokedReason: reason });
    return live.map((session) => session.id);
  }

  async revokeLeastRecentlyUsed(userId: string, keep: number, reason: SessionRevocationReason, now: Date): Promise<string[]> {
    const excess = await this.repository.find({
      select: { id: true },
      where: { userId, revokedAt: IsNull(), idleExpiresAt: MoreThan(now), absoluteExpiresAt: MoreThan(now) },
      order: { lastUsedAt: 'DESC', createdAt: 'DESC' },
      skip: keep,
      // Some databases need a LIMIT with an OFFSET; normally one session is over the limit, after a lowered limit more.
      take: 1_000_000_000,
    });
    const ids = excess.map((session) => session.id);
    for (let start = 0; start < ids.length; start += REVOKE_BATCH_SIZE) {
      const batch = ids.slice(start, start + REVOKE_BATCH_SIZE);
      await this.repository.update({ id: In(batch), revokedAt: IsNull() }, { revokedAt: now, revokedReason: reason });
    }
    return ids;
  }

  async listActiveForUser(userId: string, now: Date): Promise<SessionRecord[]> {
    const entities = await this.repository.find({
      where: { userId, revokedAt: IsNull(), idleExpiresAt: MoreThan(now), absoluteExpiresAt: MoreThan(now) },
      order: { createdAt: 'DESC' },
      take: MAX_LISTED_SESSIONS,
    });
    return entities.map(toRecord);
  }

  async deleteExpired(now: Date, limit: number): Promise<number> {
    // Select-then-delete because SQLite and PostgreSQL have no DELETE ... LIMIT; the select uses the expiry index.
    const expired = await this.repository.find({
      select: { id: true },
      where: { idleExpiresAt: LessThanOrEqual(now) },
      take: limit,
    });
    if (expired.length === 0) return 0;
    await this.repository.delete({ id: In(expired.map((session) => session.id)) });
    return expired.length;
  }

  /** The prepared-statement path when this DataSource has one; decided once, on the first call after initialization. */
  private preparedStatements(): MysqlPreparedSessionStatements | null | undefined {
    if (this.prepared === undefined && this.dataSource.isInitialized) {
      this.prepared = MysqlPreparedSessionStatements.forDataSource(this.dataSource, this.repository.metadata) ?? null;
    }
    return this.prepared;
  }
}

function toRecord(entity: DualTokenSessionEntity): SessionRecord {
  return {
    id: entity.id,
    userId: entity.userId,
    generation: Number(entity.generation),
    rotatedAt: entity.rotatedAt,
    createdAt: entity.createdAt,
    lastUsedAt: entity.lastUsedAt,
    idleExpiresAt: entity.idleExpiresAt,
    absoluteExpiresAt: entity.absoluteExpiresAt,
    revokedAt: entity.revokedAt,
    // Written only by revoke() and revokeAllForUser(), which take a SessionRevocationReason.
    revokedReason: entity.revokedReason as SessionRevocationReason | null,
    userAgent: entity.userAgent,
    ip: entity.ip,
  };
}
