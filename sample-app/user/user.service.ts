import { ConflictException, Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { AccessTokenClaims, UserId, UserLookup } from 'nestjs-dual-token-auth';
import { Argon2PasswordHasher } from 'nestjs-dual-token-auth/argon2';
import { QueryFailedError, type Repository } from 'typeorm';
import { User } from './user.entity.js';

/** Public view of a user: never includes the password hash. */
export interface UserView {
  id: number;
  username: string;
}

/** The sample's users on TypeORM, and the library's user lookup. */
@Injectable()
export class UserService implements UserLookup<User> {
  private readonly logger = new Logger('UserService');

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly passwords: Argon2PasswordHasher,
  ) {}

  async validateCredentials(username: string, password: string): Promise<User | null> {
    const user = await this.users.findOneBy({ username });
    if (!user) return this.passwords.verifyAgainstDummy(password).then(() => null);
    if (!(await this.passwords.verify(user.password, password))) return null;
    if (this.passwords.needsRehash(user.password)) await this.upgradeHash(user, password);
    return user;
  }

  /** Re-hashes with the current parameters after a successful login; a failure here must not fail the login. */
  private async upgradeHash(user: User, password: string): Promise<void> {
    try {
      await this.users.update({ id: user.id }, { password: await this.passwords.hash(password) });
    } catch (error) {
      this.logger.warn(`Could not upgrade the password hash of user ${user.id}: ${(error as Error).message}`);
    }
  }

  async findById(userId: UserId): Promise<User | null> {
    const id = Number(userId);
    return Number.isInteger(id) ? this.users.findOneBy({ id }) : null;
  }

  toAccessTokenClaims(user: User): AccessTokenClaims {
    // The tutorial's claims, userId and username, plus the roles `@Roles()` reads. The hash stays in the database.
    return { userId: user.id, username: user.username, roles: user.roles };
  }

  /** Re-authentication (`POST /user/reauthenticate`) checks the password of the user the token names. */
  verifyPassword(user: User, password: string): Promise<boolean> {
    return this.passwords.verify(user.password, password);
  }

  /** Replaces the password hash; `false` (and nothing changed) when `currentPassword` is wrong. */
  async changePassword(userId: number, currentPassword: string, newPassword: string): Promise<boolean> {
    const user = await this.users.findOneBy({ id: userId });
    if (!user || !(await this.passwords.verify(user.password, currentPassword))) return false;
    await this.users.update({ id: user.id }, { password: await this.passwords.hash(newPassword) });
    return true;
  }

  /** Creates a user; 409 when the name is taken (also when two registrations race). */
  async register(username: string, password: string): Promise<UserView> {
    try {
      if (await this.users.existsBy({ username })) throw new ConflictException('username is already taken');
      const user = this.users.create({ username, password: await this.passwords.hash(password), roles: ['user'] });
      await this.users.insert(user);
      return { id: user.id, username: user.username };
    } catch (error) {
      if (error instanceof ConflictException) throw error;
      if (isUniqueViolation(error)) throw new ConflictException('username is already taken');
      // Database unreachable or failing: tell the client to retry rather than report a bug.
      this.logger.error(`Registration failed: ${(error as Error).message}`);
      throw new ServiceUnavailableException('Registration is temporarily unavailable; try again shortly');
    }
  }

  /** Creates a demo user (the tutorial's `guang`, the optional `admin`) unless it exists. */
  async ensureUser(username: string, password: string, roles: string[] = ['user']): Promise<void> {
    if (await this.users.existsBy({ username })) return;
    try {
      await this.users.insert(this.users.create({ username, password: await this.passwords.hash(password), roles }));
    } catch (error) {
      // Another instance seeded it at the same moment.
      if (!isUniqueViolation(error)) throw error;
    }
  }
}

function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = (error as QueryFailedError & { driverError?: { code?: string; message?: string } }).driverError;
  // MySQL/MariaDB, PostgreSQL (SQLSTATE 23505 unique_violation), SQLite.
  return (
    driverError?.code === 'ER_DUP_ENTRY' ||
    driverError?.code === '23505' ||
    /UNIQUE constraint failed/i.test(driverError?.message ?? error.message)
  );
}
