import { describe, expect, it } from '@jest/globals';
import { HostTree, type Rule, type Tree } from '@angular-devkit/schematics';
import { SchematicTestRunner } from '@angular-devkit/schematics/testing/index.js';
import { readFileSync } from 'node:fs';
import { lastValueFrom } from 'rxjs';
import { dependenciesFor, nestAdd } from './nest-add.factory.js';
import { NEST_ADD_DATABASES, type NestAddOptions } from './nest-add.options.js';

const COLLECTION = new URL('../collection.json', import.meta.url).pathname;
const repoManifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

// What `nest new` (NestJS 12) writes, trimmed to the files the schematic reads.
const NEST_NEW_APP_MODULE = `import { Module } from '@nestjs/common';
import { AppController } from './app.controller.js';
import { AppService } from './app.service.js';

@Module({
  imports: [],
  controllers: [AppController],
  providers: [AppService],
})
export class AppModule {}
`;

function nestNewApp({ esm = true, appModule = NEST_NEW_APP_MODULE, files = {} as Record<string, string> } = {}): Tree {
  const tree = new HostTree();
  const manifest = {
    name: 'my-app',
    version: '0.0.1',
    private: true,
    ...(esm ? { type: 'module' } : {}),
    scripts: { build: 'nest build', start: 'nest start' },
    dependencies: { '@nestjs/common': '^12.0.1', '@nestjs/core': '^12.0.1', '@nestjs/platform-express': '^12.0.1', 'reflect-metadata': '^0.2.2', rxjs: '^7.8.1' },
    devDependencies: { '@nestjs/cli': '^12.0.0', '@nestjs/schematics': '^12.0.0', typescript: '^6.0.2' },
  };
  tree.create('/package.json', `${JSON.stringify(manifest, null, 2)}\n`);
  tree.create('/nest-cli.json', '{ "collection": "@nestjs/schematics", "sourceRoot": "src" }\n');
  tree.create('/src/app.module.ts', esm ? appModule : appModule.replaceAll(".js'", "'"));
  tree.create('/src/main.ts', "import { NestFactory } from '@nestjs/core';\n");
  for (const [file, content] of Object.entries(files)) tree.create(file, content);
  return tree;
}

async function runNestAdd(tree: Tree, options: NestAddOptions = {}) {
  const runner = new SchematicTestRunner('nestjs-dual-token-auth', COLLECTION);
  const logs: string[] = [];
  runner.logger.subscribe((entry) => logs.push(`${entry.level}: ${entry.message}`));
  // callRule's context has no schematic description to name a child logger after: the rule gets the runner's.
  const withLogger: Rule = (host, context) => nestAdd(options)(host, { ...context, logger: runner.logger });
  const result = await lastValueFrom(runner.callRule(withLogger, tree));
  return { tree: result, logs, tasks: runner.tasks };
}

const EXPECTED_APP_MODULE = `import { Module } from '@nestjs/common';
import { AppController } from './app.controller.js';
import { AppService } from './app.service.js';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CreateDualTokenSessions1764200000000, DualTokenSessionEntity, TypeOrmSessionStore } from 'nestjs-dual-token-auth/typeorm';
import { CreateUsers1764000000000 } from './users/create-users.migration.js';
import { User } from './users/user.entity.js';
import { UsersModule } from './users/users.module.js';
import { DataSource } from 'typeorm';
import { DualTokenAuthModule } from 'nestjs-dual-token-auth';
import { UsersService } from './users/users.service.js';
import { ProfileController } from './profile.controller.js';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    TypeOrmModule.forRoot({
      type: 'sqljs', // SQLite compiled to WebAssembly: nothing to build on install
      location: 'app.sqlite',
      autoSave: true,
      entities: [User, DualTokenSessionEntity],
      // Creates the users and dual_token_sessions tables at startup (never \`synchronize\` in production).
      migrations: [CreateUsers1764000000000, CreateDualTokenSessions1764200000000],
      migrationsRun: true,
    }),
    UsersModule,
    DualTokenAuthModule.forRootAsync({
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
    }),
  ],
  controllers: [
    AppController,
    ProfileController,
  ],
  providers: [AppService],
})
export class AppModule {}
`;

const envKeys = (text: string): Record<string, string> =>
  Object.fromEntries(text.split('\n').filter((line) => /^[A-Z_]+=/.test(line)).map((line) => line.split(/=(.*)/s).slice(0, 2)));

describe('nest add nestjs-dual-token-auth (the nest-add schematic)', () => {
  it("registers config, TypeORM (SQLite file), the users and DualTokenAuthModule in a nest new app's AppModule, with the guarded profile route", async () => {
    const { tree } = await runNestAdd(nestNewApp());
    expect(tree.readText('/src/app.module.ts')).toBe(EXPECTED_APP_MODULE);
  });

  it('writes the users (entity, migration, UserLookup, register route with validation) and the profile controller', async () => {
    const { tree } = await runNestAdd(nestNewApp());
    const written = ['user.entity', 'create-users.migration', 'users.service', 'register-user.dto', 'users.controller', 'users.module'].map((name) => `/src/users/${name}.ts`);
    for (const file of [...written, '/src/profile.controller.ts']) expect({ file, exists: tree.exists(file) }).toEqual({ file, exists: true });

    const service = tree.readText('/src/users/users.service.ts');
    expect(service).toContain('export class UsersService implements UserLookup<User>');
    expect(service).toContain("throw new ConflictException('username is already taken')");
    expect(service).toContain("import { User } from './user.entity.js';");
    const controller = tree.readText('/src/users/users.controller.ts');
    expect(controller).toContain("@Controller('users')");
    expect(controller).toContain("@Post('register')");
    expect(controller).toContain('@Body(new AuthValidationPipe()) body: RegisterUserDto');
    expect(tree.readText('/src/users/register-user.dto.ts')).toContain('@MinLength(12');
    expect(tree.readText('/src/profile.controller.ts')).toContain('@UseGuards(AccessTokenGuard)');
  });

  it('imports relative files without .js in a CommonJS app (no "type": "module")', async () => {
    const { tree } = await runNestAdd(nestNewApp({ esm: false }));
    const appModule = tree.readText('/src/app.module.ts');
    expect(appModule).toContain("import { UsersModule } from './users/users.module';");
    expect(appModule).toContain("import { ProfileController } from './profile.controller';");
    expect(tree.readText('/src/users/users.module.ts')).toContain("import { UsersService } from './users.service';");
    expect(`${appModule}${tree.readText('/src/users/users.service.ts')}`).not.toMatch(/from '\.\/[^']*\.js'/);
  });

  it('adds the dependencies at the versions this release is tested with, keeping versions the app already has', async () => {
    const { tree } = await runNestAdd(nestNewApp());
    const { dependencies, devDependencies } = JSON.parse(tree.readText('/package.json')) as Record<string, Record<string, string>>;
    expect(dependencies).toEqual({
      '@nestjs/common': '^12.0.1',
      '@nestjs/config': repoManifest.devDependencies['@nestjs/config'],
      '@nestjs/core': '^12.0.1',
      '@nestjs/platform-express': '^12.0.1',
      '@nestjs/typeorm': repoManifest.devDependencies['@nestjs/typeorm'],
      '@node-rs/argon2': repoManifest.devDependencies['@node-rs/argon2'],
      'class-validator': repoManifest.dependencies['class-validator'],
      'nestjs-dual-token-auth': `^${repoManifest.version}`,
      'reflect-metadata': '^0.2.2',
      rxjs: '^7.8.1',
      'sql.js': repoManifest.devDependencies['sql.js'],
      typeorm: repoManifest.devDependencies.typeorm,
    });
    expect(Object.keys(dependencies)).toEqual(Object.keys(dependencies).sort());
    expect(devDependencies).toEqual({ '@nestjs/cli': '^12.0.0', '@nestjs/schematics': '^12.0.0', typescript: '^6.0.2' });

    // Installed from a tarball before `nest add --skip-install`: that spec stays.
    const fromTarball = nestNewApp();
    const manifest = JSON.parse(fromTarball.readText('/package.json')) as { dependencies: Record<string, string> };
    manifest.dependencies['nestjs-dual-token-auth'] = 'file:../nestjs-dual-token-auth-0.1.0.tgz';
    fromTarball.overwrite('/package.json', JSON.stringify(manifest));
    const { tree: after } = await runNestAdd(fromTarball);
    expect(JSON.parse(after.readText('/package.json')).dependencies['nestjs-dual-token-auth']).toBe('file:../nestjs-dual-token-auth-0.1.0.tgz');
  });

  it('installs the new dependencies with the package manager of the lock file, unless --skip-install', async () => {
    expect((await runNestAdd(nestNewApp())).tasks).toEqual([expect.objectContaining({ name: 'node-package', options: expect.objectContaining({ command: 'install', packageManager: 'npm' }) })]);
    const pnpmApp = nestNewApp({ files: { '/pnpm-lock.yaml': 'lockfileVersion: 9.0\n' } });
    expect((await runNestAdd(pnpmApp)).tasks).toEqual([expect.objectContaining({ options: expect.objectContaining({ packageManager: 'pnpm' }) })]);
    expect((await runNestAdd(nestNewApp(), { skipInstall: true })).tasks).toEqual([]);
  });

  it('writes .env with two different random 32-byte secrets, .env.example with placeholders production refuses, and keeps both out of git', async () => {
    const { tree } = await runNestAdd(nestNewApp({ files: { '/.gitignore': '/dist\n/node_modules\n' } }));
    const env = envKeys(tree.readText('/.env'));
    expect(Object.keys(env)).toEqual(['JWT_ACCESS_SECRET', 'JWT_REFRESH_SECRET']);
    for (const secret of Object.values(env)) expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(env.JWT_ACCESS_SECRET).not.toBe(env.JWT_REFRESH_SECRET);

    const example = envKeys(tree.readText('/.env.example'));
    expect(example).toEqual({ JWT_ACCESS_SECRET: 'change-me-access', JWT_REFRESH_SECRET: 'change-me-refresh' });
    // Under 32 bytes: the library warns in development and refuses to start in production.
    for (const placeholder of Object.values(example)) expect(Buffer.byteLength(placeholder)).toBeLessThan(32);
    expect(tree.readText('/.env.example')).toContain("randomBytes(32).toString('base64url')");
    expect(tree.readText('/.gitignore')).toBe('/dist\n/node_modules\n# nestjs-dual-token-auth: secrets and local data\n.env\napp.sqlite\n');
  });

  it('keeps the settings an existing .env has and adds only the missing ones', async () => {
    const { tree } = await runNestAdd(nestNewApp({ files: { '/.env': 'PORT=4000\nJWT_ACCESS_SECRET=mine' } }));
    const env = envKeys(tree.readText('/.env'));
    expect(env).toEqual({ PORT: '4000', JWT_ACCESS_SECRET: 'mine', JWT_REFRESH_SECRET: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
  });

  it('changes nothing when run a second time (no duplicate imports, registrations, dependencies or settings)', async () => {
    const { tree: once } = await runNestAdd(nestNewApp({ files: { '/.gitignore': 'node_modules\n' } }));
    const snapshot = new Map(['/src/app.module.ts', '/package.json', '/.env', '/.env.example', '/.gitignore', '/src/users/users.service.ts'].map((file) => [file, once.readText(file)]));
    const { tree: twice, logs } = await runNestAdd(once);
    for (const [file, content] of snapshot) expect({ file, content: twice.readText(file) }).toEqual({ file, content });
    expect(logs).toContain('info: src/users/users.service.ts exists: left as it is');
  });

  it('with --database mysql, connects through DATABASE_URL with mysql2 instead of the SQLite file', async () => {
    const { tree } = await runNestAdd(nestNewApp(), { database: 'mysql' });
    const appModule = tree.readText('/src/app.module.ts');
    expect(appModule).toContain(`    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        type: 'mysql',
        url: config.getOrThrow<string>('DATABASE_URL'),`);
    expect(appModule).not.toContain('sqljs');
    const { dependencies } = JSON.parse(tree.readText('/package.json')) as Record<string, Record<string, string>>;
    expect(dependencies.mysql2).toBe(repoManifest.devDependencies.mysql2);
    expect(dependencies).not.toHaveProperty(['sql.js']);
    expect(envKeys(tree.readText('/.env.example')).DATABASE_URL).toMatch(/^mysql:\/\//);
    expect(envKeys(tree.readText('/.env')).DATABASE_URL).toMatch(/^mysql:\/\//);
    expect(tree.readText('/.gitignore')).not.toContain('app.sqlite');
  });

  it('with --database postgres, connects through DATABASE_URL with pg instead of the SQLite file', async () => {
    const { tree, logs } = await runNestAdd(nestNewApp({ files: { '/.gitignore': 'node_modules\n' } }), { database: 'postgres' });
    const appModule = tree.readText('/src/app.module.ts');
    expect(appModule).toContain(`    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        type: 'postgres',
        url: config.getOrThrow<string>('DATABASE_URL'),
        entities: [User, DualTokenSessionEntity],
        // Creates the users and dual_token_sessions tables at startup (never \`synchronize\` in production).
        migrations: [CreateUsers1764000000000, CreateDualTokenSessions1764200000000],
        migrationsRun: true,
      }),
    }),`);
    expect(appModule).toContain("import { ConfigModule, ConfigService } from '@nestjs/config';");
    expect(appModule).not.toContain('sqljs');
    expect(appModule).not.toContain("'mysql'");

    const { dependencies } = JSON.parse(tree.readText('/package.json')) as Record<string, Record<string, string>>;
    expect(dependencies.pg).toBe(repoManifest.devDependencies.pg);
    expect(dependencies).not.toHaveProperty(['sql.js']);
    expect(dependencies).not.toHaveProperty('mysql2');
    expect(logs).toContainEqual(expect.stringContaining(`pg@${repoManifest.devDependencies.pg}`));

    expect(envKeys(tree.readText('/.env.example'))).toEqual({
      JWT_ACCESS_SECRET: 'change-me-access',
      JWT_REFRESH_SECRET: 'change-me-refresh',
      DATABASE_URL: 'postgres://user:pass@localhost:5432/app',
    });
    expect(tree.readText('/.env.example')).toContain('# PostgreSQL the users and sessions live in.\n');
    expect(envKeys(tree.readText('/.env')).DATABASE_URL).toBe('postgres://user:pass@localhost:5432/app');
    expect(logs).toContainEqual(expect.stringMatching(/^info: \.env: added .*\(set DATABASE_URL to your database\)$/));
    expect(tree.readText('/.gitignore')).toBe('node_modules\n# nestjs-dual-token-auth: secrets and local data\n.env\n');

    // The users migration goes through TypeORM's Table API (no raw SQL), so PostgreSQL gets its own column types.
    const migration = tree.readText('/src/users/create-users.migration.ts');
    expect(migration).toContain('queryRunner.createTable(');
    expect(migration).not.toMatch(/queryRunner\.query\(|`\w+`|AUTO_INCREMENT|tinyint|datetime|\bENGINE\b/i);
  });

  it('with --database postgres, a second run changes nothing', async () => {
    const { tree: once } = await runNestAdd(nestNewApp(), { database: 'postgres' });
    const snapshot = new Map(['/src/app.module.ts', '/package.json', '/.env', '/.env.example', '/.gitignore'].map((file) => [file, once.readText(file)]));
    const { tree: twice } = await runNestAdd(once, { database: 'postgres' });
    for (const [file, content] of snapshot) expect({ file, content: twice.readText(file) }).toEqual({ file, content });
  });

  it('refuses a --database it does not know, naming the ones it does', async () => {
    await expect(runNestAdd(nestNewApp(), { database: 'oracle' as NestAddOptions['database'] })).rejects.toThrow('--database must be sqlite, mysql or postgres, not oracle');
  });

  it('lists the same --database values in schema.json as the factory accepts', () => {
    const schema = JSON.parse(readFileSync(new URL('./schema.json', import.meta.url), 'utf8')) as { properties: { database: { enum: string[] } } };
    expect(schema.properties.database.enum).toEqual([...NEST_ADD_DATABASES]);
  });

  it("leaves an AppModule's own TypeOrmModule alone and says which entities and migrations to add to it", async () => {
    const appModule = NEST_NEW_APP_MODULE.replace("import { AppService } from './app.service.js';", "import { AppService } from './app.service.js';\nimport { TypeOrmModule } from '@nestjs/typeorm';")
      .replace('imports: [],', "imports: [TypeOrmModule.forRoot({ type: 'postgres' })],");
    const { tree, logs } = await runNestAdd(nestNewApp({ appModule }));
    const result = tree.readText('/src/app.module.ts');
    expect(result.match(/TypeOrmModule\.forRoot/g)).toHaveLength(1);
    expect(result).toContain("    TypeOrmModule.forRoot({ type: 'postgres' }),\n    ConfigModule.forRoot({ isGlobal: true }),\n    UsersModule,\n");
    expect(result.match(/import \{[^}]*\bTypeOrmModule\b/g)).toHaveLength(1);
    expect(logs).toContainEqual(expect.stringMatching(/^warn: AppModule already configures TypeOrmModule: add User and DualTokenSessionEntity/));
  });

  it('refuses an app without src/app.module.ts, naming the file', async () => {
    const tree = nestNewApp();
    tree.delete('/src/app.module.ts');
    await expect(runNestAdd(tree)).rejects.toThrow('src/app.module.ts not found: run nest add in an app made by nest new (or pass --sourceRoot)');
  });

  it('reads the tested versions from the package manifest and names a package missing there', () => {
    expect(() => dependenciesFor('sqlite', { name: 'nestjs-dual-token-auth', version: '1.2.3', devDependencies: { '@nestjs/config': '^1' } })).toThrow(
      "nestjs-dual-token-auth's package.json names no tested version of @nestjs/typeorm",
    );
    const withoutPg = { ...repoManifest, name: 'nestjs-dual-token-auth', devDependencies: { ...repoManifest.devDependencies, pg: undefined as unknown as string } };
    expect(() => dependenciesFor('postgres', withoutPg)).toThrow("nestjs-dual-token-auth's package.json names no tested version of pg");
    expect(dependenciesFor('postgres')).toMatchObject({ pg: repoManifest.devDependencies.pg });
  });
});
