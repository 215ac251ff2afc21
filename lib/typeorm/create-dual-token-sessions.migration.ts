import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Creates the `dual_token_sessions` table of {@link DualTokenSessionEntity}. Add it to your DataSource's `migrations`.
 * Written with TypeORM's schema API so the same migration runs on MySQL/MariaDB, PostgreSQL and SQLite.
 */
export class CreateDualTokenSessions1764200000000 implements MigrationInterface {
  name = 'CreateDualTokenSessions1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'dual_token_sessions',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '64' },
          { name: 'generation', type: 'integer', default: 0 },
          { name: 'rotated_at', type: 'bigint', isNullable: true },
          { name: 'created_at', type: 'bigint' },
          { name: 'last_used_at', type: 'bigint' },
          { name: 'idle_expires_at', type: 'bigint' },
          { name: 'absolute_expires_at', type: 'bigint' },
          { name: 'revoked_at', type: 'bigint', isNullable: true },
          { name: 'revoked_reason', type: 'varchar', length: '32', isNullable: true },
          { name: 'user_agent', type: 'varchar', length: '512', isNullable: true },
          { name: 'ip', type: 'varchar', length: '64', isNullable: true },
        ],
      }),
      true,
    );
    await queryRunner.createIndex(
      'dual_token_sessions',
      new TableIndex({ name: 'idx_dual_token_sessions_user_id', columnNames: ['user_id'] }),
    );
    await queryRunner.createIndex(
      'dual_token_sessions',
      new TableIndex({ name: 'idx_dual_token_sessions_idle_expires_at', columnNames: ['idle_expires_at'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('dual_token_sessions', true);
  }
}
