// The files `nest add nestjs-dual-token-auth` writes into the app: the README quick start's users, profile route and
// module registration, plus a register route. Written as functions rather than template files so the build compiles
// them with the rest and `ext` (`.js` for ESM apps, nothing for CommonJS ones) is the only thing that varies.
import type { NestAddDatabase } from './nest-add.options.js';

/** Relative-import suffix: `.js` in ESM apps (module NodeNext needs it), nothing in CommonJS apps. */
export interface TemplateContext {
  ext: '.js' | '';
  database: NestAddDatabase;
}

export const userEntity = (): string => `import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('users')
export class User {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ length: 50, unique: true })
  username!: string;

  @Column({ name: 'password_hash' })
  passwordHash!: string;
}
`;

export const createUsersMigration = (): string => `import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateUsers1764000000000 implements MigrationInterface {
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'username', type: 'varchar', length: '50', isUnique: true },
          { name: 'password_hash', type: 'varchar', length: '255' },
        ],
      }),
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('users');
  }
}
`;

export const usersService = ({ ext }: TemplateContext): string => `import { ConflictException, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, type Repository } from 'typeorm';
import type { AccessTokenClaims, UserId, UserLookup } from 'nestjs-dual-token-auth';
import { Argon2PasswordHasher } from 'nestjs-dual-token-auth/argon2';
import { User } from './user.entity${ext}';

/** What the API shows of a user: never the password hash. */
export interface UserView {
  id: number;
  username: string;
}

// The library never sees a password hash: it asks this class, which you own.
@Injectable()
export class UsersService implements UserLookup<User> {
  private readonly hasher = new Argon2PasswordHasher(); // argon2id, OWASP's minimum parameters

  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  /** Creates a user; 409 when the name is taken (also when two registrations of it race). */
  async register(username: string, password: string): Promise<UserView> {
    if (await this.users.existsBy({ username })) throw new ConflictException('username is already taken');
    try {
      const user = await this.users.save(this.users.create({ username, passwordHash: await this.hasher.hash(password) }));
      return { id: user.id, username: user.username };
    } catch (error) {
      // The unique index refused a name registered since the check above.
      if (error instanceof QueryFailedError && (await this.users.existsBy({ username }))) {
        throw new ConflictException('username is already taken');
      }
      throw error;
    }
  }

  async validateCredentials(username: string, password: string): Promise<User | null> {
    const user = await this.users.findOneBy({ username });
    // Verify against a dummy hash when the user is unknown, so both cases take the same time.
    if (!user) return this.hasher.verifyAgainstDummy(password).then(() => null);
    return (await this.hasher.verify(user.passwordHash, password)) ? user : null;
  }

  findById(id: UserId): Promise<User | null> {
    return this.users.findOneBy({ id: Number(id) }); // null when deleted: refresh then fails and the session is revoked
  }

  toAccessTokenClaims(user: User): AccessTokenClaims {
    return { userId: user.id, username: user.username }; // goes into the token: never secrets
  }
}
`;

export const registerUserDto = (): string => `import { IsNotEmpty, IsString, Matches, MaxLength, MinLength } from 'class-validator';

/** Body of \`POST /users/register\`; checked from the last decorator up, stopping at the first failure. */
export class RegisterUserDto {
  @Matches(/^[A-Za-z0-9_.-]{3,50}$/, {
    message: 'username must be 3 to 50 characters: letters, digits, underscore, dot or hyphen',
  })
  @IsString({ message: 'username must be a string' })
  @IsNotEmpty()
  username!: string;

  @MaxLength(128, { message: 'password must be 12 to 128 characters long' })
  @MinLength(12, { message: 'password must be 12 to 128 characters long' })
  @IsString({ message: 'password must be a string' })
  @IsNotEmpty()
  password!: string;
}
`;

export const usersController = ({ ext }: TemplateContext): string => `import { Body, Controller, Post } from '@nestjs/common';
import { AuthValidationPipe } from 'nestjs-dual-token-auth';
import { RegisterUserDto } from './register-user.dto${ext}';
import { UsersService, type UserView } from './users.service${ext}';

@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  /** 201 with the new user, 400 naming a bad field, 409 when the name is taken. Then log in at POST /user/login. */
  @Post('register')
  register(@Body(new AuthValidationPipe()) body: RegisterUserDto): Promise<UserView> {
    return this.users.register(body.username, body.password);
  }
}
`;

export const usersModule = ({ ext }: TemplateContext): string => `import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { User } from './user.entity${ext}';
import { UsersController } from './users.controller${ext}';
import { UsersService } from './users.service${ext}';

@Module({
  imports: [TypeOrmModule.forFeature([User])],
  controllers: [UsersController],
  providers: [UsersService],
  exports: [UsersService],
})
export class UsersModule {}
`;

export const profileController = (): string => `import { Controller, Get, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, CurrentUser, type AccessTokenPayload } from 'nestjs-dual-token-auth';

@Controller()
export class ProfileController {
  @UseGuards(AccessTokenGuard) // 401 without a valid access token
  @Get('profile')
  profile(@CurrentUser() user: AccessTokenPayload, @CurrentUser('username') username: string) {
    return { id: user.userId, username };
  }
}
`;

/** The `TypeOrmModule` element of AppModule's imports. */
export const typeOrmRegistration = ({ database }: TemplateContext): string =>
  database !== 'sqlite'
    ? `TypeOrmModule.forRootAsync({
  inject: [ConfigService],
  useFactory: (config: ConfigService) => ({
    type: '${database}',
    url: config.getOrThrow<string>('DATABASE_URL'),
    entities: [User, DualTokenSessionEntity],
    // Creates the users and dual_token_sessions tables at startup (never \`synchronize\` in production).
    migrations: [CreateUsers1764000000000, CreateDualTokenSessions1764200000000],
    migrationsRun: true,
  }),
})`
    : `TypeOrmModule.forRoot({
  type: 'sqljs', // SQLite compiled to WebAssembly: nothing to build on install
  location: 'app.sqlite',
  autoSave: true,
  entities: [User, DualTokenSessionEntity],
  // Creates the users and dual_token_sessions tables at startup (never \`synchronize\` in production).
  migrations: [CreateUsers1764000000000, CreateDualTokenSessions1764200000000],
  migrationsRun: true,
})`;

/** The `DualTokenAuthModule` element of AppModule's imports. */
export const dualTokenAuthRegistration = (): string => `DualTokenAuthModule.forRootAsync({
  isGlobal: true, // registration-time settings sit next to useFactory,
  routePrefix: 'user', // never inside its result
  imports: [UsersModule],
  inject: [ConfigService, UsersService, DataSource],
  useFactory: (config: ConfigService, users: UsersService, dataSource: DataSource) => ({
    accessToken: { secret: config.getOrThrow<string>('JWT_ACCESS_SECRET'), expiresIn: '30m' },
    refreshToken: { secret: config.getOrThrow<string>('JWT_REFRESH_SECRET'), expiresIn: '7d' },
    userLookup: users,
    sessionStore: new TypeOrmSessionStore(dataSource),
    rejectRevokedAccessTokens: true, // a logout also ends the session's access tokens
  }),
})`;

/** The placeholder DATABASE_URL of `.env.example` (and of a new `.env`) for each server database. */
const DATABASE_URLS: Record<Exclude<NestAddDatabase, 'sqlite'>, { name: string; url: string }> = {
  mysql: { name: 'MySQL/MariaDB', url: 'mysql://app:app-password@localhost:3306/app' },
  postgres: { name: 'PostgreSQL', url: 'postgres://user:pass@localhost:5432/app' },
};

const GENERATE_SECRET = `node -p "require('node:crypto').randomBytes(32).toString('base64url')"`;

/** `.env.example`: what the app reads, with placeholders that are refused in production. */
export const envExample = ({ database }: TemplateContext): string => `# Settings read by ConfigModule from .env (nest add wrote a .env with generated secrets; keep it out of git).
# JWT_*: two different random secrets of 32 bytes each. Make one with:
#   ${GENERATE_SECRET}
# The placeholders below are too short on purpose: the app warns about them in development and refuses to start
# with them when NODE_ENV=production.
JWT_ACCESS_SECRET=change-me-access
JWT_REFRESH_SECRET=change-me-refresh
${database === 'sqlite' ? '' : `# ${DATABASE_URLS[database].name} the users and sessions live in.\nDATABASE_URL=${DATABASE_URLS[database].url}\n`}`;

/** The lines `.env` gets for each setting it lacks (fresh secrets, the example's database URL). */
export const envDefaults = ({ database }: TemplateContext, secret: () => string): Record<string, string> => ({
  JWT_ACCESS_SECRET: secret(),
  JWT_REFRESH_SECRET: secret(),
  ...(database === 'sqlite' ? {} : { DATABASE_URL: DATABASE_URLS[database].url }),
});
