// `nest add nestjs-dual-token-auth`: what the README quick start has a user paste, applied to an app made by
// `nest new`. Every step leaves what is already there alone, so a second run changes nothing.
import { SchematicsException, type Rule, type SchematicContext, type Tree } from '@angular-devkit/schematics';
// The subpath's index file: the package has no exports map, and ESM does not resolve a folder to its index.
import { NodePackageInstallTask } from '@angular-devkit/schematics/tasks/index.js';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { addNamedImports, addToModuleMetadata } from './module-source.editor.js';
import { NEST_ADD_DATABASES, type NestAddDatabase, type NestAddOptions } from './nest-add.options.js';
import * as templates from './nest-add.templates.js';

interface PackageJson {
  name?: string;
  version?: string;
  type?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/**
 * This package's manifest: the versions the app gets are the ones this release is tested with (its devDependencies;
 * class-validator from its dependencies), so the schematic never pins a second, drifting list.
 */
function ownManifest(): PackageJson {
  return JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as PackageJson;
}

/** The driver TypeORM loads for each database. */
const DRIVERS: Record<NestAddDatabase, string> = { sqlite: 'sql.js', mysql: 'mysql2', postgres: 'pg' };

/** The packages the generated code imports, with the version ranges to add. */
export function dependenciesFor(database: NestAddDatabase, manifest: PackageJson = ownManifest()): Record<string, string> {
  const tested = { ...manifest.dependencies, ...manifest.devDependencies };
  const names = ['@nestjs/config', '@nestjs/typeorm', 'typeorm', DRIVERS[database], '@node-rs/argon2', 'class-validator'];
  const versions: Record<string, string> = { [manifest.name ?? 'nestjs-dual-token-auth']: `^${manifest.version}` };
  for (const name of names) {
    const version = tested[name];
    if (!version) throw new SchematicsException(`nestjs-dual-token-auth's package.json names no tested version of ${name}`);
    versions[name] = version;
  }
  return versions;
}

function readJson<T>(tree: Tree, file: string): T {
  const text = tree.readText(file);
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new SchematicsException(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

const sortKeys = (record: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));

/** Adds the missing dependencies to package.json; versions already there (a tarball, a tag) are kept. */
function addDependencies(database: NestAddDatabase): Rule {
  return (tree, context) => {
    const manifest = readJson<PackageJson>(tree, '/package.json');
    const present = { ...manifest.devDependencies, ...manifest.peerDependencies, ...manifest.dependencies };
    const added = Object.entries(dependenciesFor(database)).filter(([name]) => present[name] === undefined);
    if (added.length === 0) return;
    manifest.dependencies = sortKeys({ ...manifest.dependencies, ...Object.fromEntries(added) });
    tree.overwrite('/package.json', `${JSON.stringify(manifest, null, 2)}\n`);
    context.logger.info(`package.json: added ${added.map(([name, version]) => `${name}@${version}`).join(', ')}`);
  };
}

/** Creates a file unless it exists (an earlier run, or the user's own). */
function createFile(tree: Tree, context: SchematicContext, file: string, content: string): void {
  if (tree.exists(file)) {
    context.logger.info(`${file.slice(1)} exists: left as it is`);
    return;
  }
  tree.create(file, content);
}

/** One element of AppModule's metadata and the imports it needs. */
interface AppModuleEntry {
  property: 'imports' | 'controllers';
  element: string;
  imports: Record<string, string[]>;
  /** Said when AppModule already has an element starting from the same identifier. */
  whenPresent?: string;
}

function appModuleEntries(context: templates.TemplateContext): AppModuleEntry[] {
  const { ext } = context;
  return [
    {
      property: 'imports',
      element: 'ConfigModule.forRoot({ isGlobal: true })',
      imports: { '@nestjs/config': ['ConfigModule'] },
      whenPresent: 'AppModule already imports ConfigModule: make it global (isGlobal: true) or add it to DualTokenAuthModule.forRootAsync\'s imports',
    },
    {
      property: 'imports',
      element: templates.typeOrmRegistration(context),
      imports: {
        '@nestjs/typeorm': ['TypeOrmModule'],
        ...(context.database !== 'sqlite' ? { '@nestjs/config': ['ConfigService'] } : {}),
        'nestjs-dual-token-auth/typeorm': ['CreateDualTokenSessions1764200000000', 'DualTokenSessionEntity'],
        [`./users/create-users.migration${ext}`]: ['CreateUsers1764000000000'],
        [`./users/user.entity${ext}`]: ['User'],
      },
      whenPresent:
        'AppModule already configures TypeOrmModule: add User and DualTokenSessionEntity (nestjs-dual-token-auth/typeorm) to its entities, and CreateUsers1764000000000 and CreateDualTokenSessions1764200000000 to its migrations',
    },
    { property: 'imports', element: 'UsersModule', imports: { [`./users/users.module${ext}`]: ['UsersModule'] } },
    {
      property: 'imports',
      element: templates.dualTokenAuthRegistration(),
      imports: {
        '@nestjs/config': ['ConfigService'],
        typeorm: ['DataSource'],
        'nestjs-dual-token-auth': ['DualTokenAuthModule'],
        'nestjs-dual-token-auth/typeorm': ['TypeOrmSessionStore'],
        [`./users/users.service${ext}`]: ['UsersService'],
      },
    },
    { property: 'controllers', element: 'ProfileController', imports: { [`./profile.controller${ext}`]: ['ProfileController'] } },
  ];
}

/** Registers config, TypeORM, the users and DualTokenAuthModule in AppModule, and the guarded profile route. */
function wireAppModule(file: string, context: templates.TemplateContext): Rule {
  return (tree, schematicContext) => {
    if (!tree.exists(file)) {
      throw new SchematicsException(`${file.slice(1)} not found: run nest add in an app made by nest new (or pass --sourceRoot)`);
    }
    let source = tree.readText(file);
    for (const entry of appModuleEntries(context)) {
      const result = addToModuleMetadata(source, entry.property, entry.element);
      if (result.edit === 'no-module-decorator' || result.edit === 'not-an-array') {
        throw new SchematicsException(`${file.slice(1)}: found no @Module({ ${entry.property}: [...] }) to add ${entry.element.split('(')[0]} to`);
      }
      if (result.edit === 'already-present') {
        if (entry.whenPresent) schematicContext.logger.warn(entry.whenPresent);
        continue;
      }
      source = result.source;
      for (const [specifier, names] of Object.entries(entry.imports)) source = addNamedImports(source, specifier, names);
    }
    if (source !== tree.readText(file)) tree.overwrite(file, source);
  };
}

const parseEnv = (text: string): Set<string> =>
  new Set(text.split(/\r?\n/).map((line) => /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1]).filter((key): key is string => !!key));

/**
 * `.env.example` with placeholders (for the repository), and `.env` with fresh secrets (for this machine, out of
 * git) so the app starts right away; settings `.env` already has are kept.
 */
function writeEnvironment(context: templates.TemplateContext): Rule {
  return (tree, schematicContext) => {
    createFile(tree, schematicContext, '/.env.example', templates.envExample(context));
    const existing = tree.exists('/.env') ? tree.readText('/.env') : undefined;
    const present = parseEnv(existing ?? '');
    const missing = Object.entries(templates.envDefaults(context, () => randomBytes(32).toString('base64url'))).filter(([key]) => !present.has(key));
    if (missing.length > 0) {
      const lines = missing.map(([key, value]) => `${key}=${value}`).join('\n');
      if (existing === undefined) tree.create('/.env', `${lines}\n`);
      else tree.overwrite('/.env', `${existing}${existing.endsWith('\n') || existing === '' ? '' : '\n'}${lines}\n`);
      schematicContext.logger.info(`.env: added ${missing.map(([key]) => key).join(', ')}${context.database !== 'sqlite' ? ' (set DATABASE_URL to your database)' : ''}`);
    }
    const ignored = ['.env', ...(context.database === 'sqlite' ? ['app.sqlite'] : [])];
    const gitignore = tree.exists('/.gitignore') ? tree.readText('/.gitignore') : undefined;
    const listed = new Set((gitignore ?? '').split(/\r?\n/).map((line) => line.trim().replace(/^\//, '')));
    const unlisted = ignored.filter((entry) => !listed.has(entry));
    if (unlisted.length === 0) return;
    const block = `# nestjs-dual-token-auth: secrets and local data\n${unlisted.join('\n')}\n`;
    if (gitignore === undefined) tree.create('/.gitignore', block);
    else tree.overwrite('/.gitignore', `${gitignore}${gitignore.endsWith('\n') || gitignore === '' ? '' : '\n'}${block}`);
  };
}

/** The package manager the app was installed with, from its lock file. */
function packageManagerOf(tree: Tree): string {
  if (tree.exists('/pnpm-lock.yaml')) return 'pnpm';
  if (tree.exists('/yarn.lock')) return 'yarn';
  if (tree.exists('/bun.lockb') || tree.exists('/bun.lock')) return 'bun';
  return 'npm';
}

export function nestAdd(options: NestAddOptions = {}): Rule {
  return (tree, context) => {
    const database = options.database ?? 'sqlite';
    if (!NEST_ADD_DATABASES.includes(database)) throw new SchematicsException(`--database must be sqlite, mysql or postgres, not ${database}`);
    const sourceRoot = path.posix.join('/', options.sourceRoot ?? 'src');
    if (!tree.exists('/package.json')) throw new SchematicsException('package.json not found: run nest add at the root of the app');
    // ESM apps (`"type": "module"`, what `nest new` makes for NestJS 12) import relative files with `.js`.
    const ext = readJson<PackageJson>(tree, '/package.json').type === 'module' ? '.js' : '';
    const templateContext: templates.TemplateContext = { ext, database };

    addDependencies(database)(tree, context);
    const files: [string, string][] = [
      ['users/user.entity.ts', templates.userEntity()],
      ['users/create-users.migration.ts', templates.createUsersMigration()],
      ['users/users.service.ts', templates.usersService(templateContext)],
      ['users/register-user.dto.ts', templates.registerUserDto()],
      ['users/users.controller.ts', templates.usersController(templateContext)],
      ['users/users.module.ts', templates.usersModule(templateContext)],
      ['profile.controller.ts', templates.profileController()],
    ];
    for (const [file, content] of files) createFile(tree, context, path.posix.join(sourceRoot, file), content);
    wireAppModule(path.posix.join(sourceRoot, 'app.module.ts'), templateContext)(tree, context);
    writeEnvironment(templateContext)(tree, context);

    if (!options.skipInstall) context.addTask(new NodePackageInstallTask({ packageManager: packageManagerOf(tree) }));
    context.logger.info(
      'nestjs-dual-token-auth is wired in: start the app, register with POST /users/register, log in with POST /user/login, ' +
        'then GET /profile with the access token (see the README quick start for the curl sequence).',
    );
    return tree;
  };
}
