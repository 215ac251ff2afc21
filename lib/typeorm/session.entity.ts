import { Column, Entity, Index, PrimaryColumn, type ValueTransformer } from 'typeorm';

/**
 * Instants are stored as epoch milliseconds in BIGINT columns rather than DATETIME: MySQL DATETIME has no time zone,
 * so two app instances with different `TZ` settings (or a driver `timezone` option) would disagree about expiry.
 */
const epochMillis: ValueTransformer = {
  to: (value: Date | null | undefined) => (value instanceof Date ? value.getTime() : value),
  from: (value: string | number | null) => (value === null || value === undefined ? null : new Date(Number(value))),
};

/**
 * One row per session (refresh-token family). Holds counters and timestamps only — never a token or a token hash —
 * so a database dump cannot be turned into working tokens. Add it to your DataSource's `entities`.
 */
@Entity({ name: 'dual_token_sessions' })
export class DualTokenSessionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('idx_dual_token_sessions_user_id')
  @Column({ name: 'user_id', type: 'varchar', length: 64 })
  userId!: string;

  @Column({ type: 'integer', default: 0 })
  generation!: number;

  @Column({ name: 'rotated_at', type: 'bigint', nullable: true, transformer: epochMillis })
  rotatedAt!: Date | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMillis })
  createdAt!: Date;

  @Column({ name: 'last_used_at', type: 'bigint', transformer: epochMillis })
  lastUsedAt!: Date;

  // The background purge selects on this column; idle expiry never exceeds the absolute expiry, so it alone decides.
  @Index('idx_dual_token_sessions_idle_expires_at')
  @Column({ name: 'idle_expires_at', type: 'bigint', transformer: epochMillis })
  idleExpiresAt!: Date;

  @Column({ name: 'absolute_expires_at', type: 'bigint', transformer: epochMillis })
  absoluteExpiresAt!: Date;

  @Column({ name: 'revoked_at', type: 'bigint', nullable: true, transformer: epochMillis })
  revokedAt!: Date | null;

  @Column({ name: 'revoked_reason', type: 'varchar', length: 32, nullable: true })
  revokedReason!: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;
}
