import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Roles for `@Roles()`: existing and new users get `user`; the seeded `admin` gets `admin`. */
export class AddUserRoles1764300000000 implements MigrationInterface {
  name = 'AddUserRoles1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('user', new TableColumn({ name: 'roles', type: 'varchar', length: '255', default: "'user'" }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('user', 'roles');
  }
}
