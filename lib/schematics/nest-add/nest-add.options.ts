/**
 * Where users and sessions live: an embedded SQLite file (sql.js, nothing to set up), or MySQL/MariaDB (mysql2) or
 * PostgreSQL (pg) at DATABASE_URL.
 */
export type NestAddDatabase = 'sqlite' | 'mysql' | 'postgres';

/** The values of `--database`, in the order schema.json lists them. */
export const NEST_ADD_DATABASES: readonly NestAddDatabase[] = ['sqlite', 'mysql', 'postgres'];

/** Options of the `nest-add` schematic (schema.json holds the same, with the defaults applied). */
export interface NestAddOptions {
  /** Folder of the app's sources; `nest add` passes nest-cli.json's `sourceRoot`. @default 'src' */
  sourceRoot?: string;
  /** @default 'sqlite' */
  database?: NestAddDatabase;
  /** Leave the package manager's install to the user. @default false */
  skipInstall?: boolean;
}
