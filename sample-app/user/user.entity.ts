import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** The tutorial's user, with the password column holding an argon2id hash. */
@Entity({ name: 'user' })
export class User {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 50, unique: true })
  username!: string;

  /** argon2id PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`). Never serialised into a response or a token. */
  @Column({ type: 'varchar', length: 255 })
  password!: string;

  /** Roles as a comma-separated list in the database (`user`, `admin`); they go into the access token's `roles` claim. */
  @Column({ type: 'varchar', length: 255, default: 'user', transformer: { to: joinRoles, from: splitRoles } })
  roles!: string[];
}

function joinRoles(roles: string[] | undefined): string | undefined {
  return roles?.join(',');
}

function splitRoles(column: string | null): string[] {
  return (column ?? '').split(',').filter((role) => role.length > 0);
}
