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
}
