// The package manifest is part of the library: every package the code imports is declared, the main entry never
// loads an optional peer, every `exports` entry points at built files that load in plain Node, and the tarball
// holds the build and nothing else (after @nestjs/config's package-manifest test).
import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';

const execFileAsync = promisify(execFile);

const REPO = fileURLToPath(new URL('..', import.meta.url));
const LIB = path.join(REPO, 'lib');
const DIST = path.join(REPO, 'dist');
const PACKAGE_NAME = 'nestjs-dual-token-auth';

interface PackageJson {
  name: string;
  main?: string;
  types?: string;
  exports: Record<string, string | Record<string, string>>;
  typesVersions?: Record<string, Record<string, string[]>>;
  files: string[];
  schematics?: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

interface CollectionJson {
  schematics: Record<string, { factory: string; schema: string; description: string }>;
}

/** The built factory files of the package's schematics collection (package.json's "schematics"). */
function schematicFactories(): string[] {
  const collectionFile = path.join(REPO, pkg.schematics ?? '');
  const { schematics } = JSON.parse(readFileSync(collectionFile, 'utf8')) as CollectionJson;
  return Object.values(schematics).map(({ factory }) => path.join(path.dirname(collectionFile), factory.split('#')[0]));
}

const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as PackageJson;
const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
const optionalPeers = Object.entries(pkg.peerDependenciesMeta ?? {})
  .filter(([, meta]) => meta.optional === true)
  .map(([name]) => name);

/** Subpaths the package must export: one per entry-point folder of lib/. */
const clientEntries = ['./client', './client/testing', './client/core', './client/cross-tab', './client/local-storage', './client/axios', './client/realtime'];
const expectedEntries = ['.', './typeorm', './testing', ...clientEntries, './argon2', './redis', './graphql', './websockets', './swagger'];

interface ModuleReference {
  /** File the reference is in, relative to the repository. */
  file: string;
  specifier: string;
  /** Erased at compile time (`import type`, `export type`, `import('x').T`): matters only to type checking. */
  typeOnly: boolean;
}

function walkFiles(dir: string, accept: (file: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter(accept)
    .sort();
}

const isSpec = (file: string): boolean => /\.(e2e-)?spec\.ts$/.test(file);
const librarySources = (): string[] => walkFiles(LIB, (file) => file.endsWith('.ts') && !isSpec(file));

/** Every module a file refers to, read from the TypeScript syntax tree (comments and strings are not imports). */
function moduleReferences(file: string): ModuleReference[] {
  const kind = file.endsWith('.js') ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, kind);
  const references: ModuleReference[] = [];
  const add = (specifier: string, typeOnly: boolean): void => {
    references.push({ file: path.relative(REPO, file), specifier, typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const onlyTypeSpecifiers =
        clause !== undefined &&
        clause.name === undefined &&
        clause.namedBindings !== undefined &&
        ts.isNamedImports(clause.namedBindings) &&
        clause.namedBindings.elements.length > 0 &&
        clause.namedBindings.elements.every((element) => element.isTypeOnly);
      add(node.moduleSpecifier.text, clause !== undefined && (clause.isTypeOnly || onlyTypeSpecifiers));
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const exportClause = node.exportClause;
      const onlyTypeSpecifiers =
        exportClause !== undefined &&
        ts.isNamedExports(exportClause) &&
        exportClause.elements.length > 0 &&
        exportClause.elements.every((element) => element.isTypeOnly);
      add(node.moduleSpecifier.text, node.isTypeOnly || onlyTypeSpecifiers);
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      add(node.moduleReference.expression.text, node.isTypeOnly);
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === 'require')) &&
      node.arguments.length >= 1 &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      add(node.arguments[0].text, false);
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      add(node.argument.literal.text, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return references;
}

const isRelative = (specifier: string): boolean => specifier.startsWith('./') || specifier.startsWith('../');

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Resolves a relative specifier the way TypeScript (`.js` → `.ts` or `.d.ts`) or Node (exact file) does. */
function resolveRelative(fromFile: string, specifier: string): string {
  const target = path.resolve(path.dirname(fromFile), specifier);
  const candidates = fromFile.endsWith('.d.ts')
    ? [target.replace(/\.js$/, '.d.ts'), `${target}.d.ts`, path.join(target, 'index.d.ts')]
    : fromFile.endsWith('.ts')
      ? [target.replace(/\.js$/, '.ts'), `${target}.ts`, path.join(target, 'index.ts')]
      : [target, path.join(target, 'index.js')];
  const found = candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
  if (!found) throw new Error(`${path.relative(REPO, fromFile)} imports '${specifier}', which does not resolve to a file`);
  return found;
}

/** Every file reachable from `entry` through relative imports, with the bare imports each of them makes. */
function moduleGraph(entry: string, { runtimeOnly }: { runtimeOnly: boolean }) {
  const files = new Set<string>();
  const bareImports: ModuleReference[] = [];
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const reference of moduleReferences(file)) {
      if (runtimeOnly && reference.typeOnly) continue;
      if (isRelative(reference.specifier)) pending.push(resolveRelative(file, reference.specifier));
      else bareImports.push(reference);
    }
  }
  return { files, bareImports };
}

const describeReference = (reference: ModuleReference): string =>
  `${reference.file}: ${reference.typeOnly ? 'import type' : 'import'} '${reference.specifier}'`;

function newestMtime(files: string[]): number {
  return Math.max(...files.map((file) => statSync(file).mtimeMs));
}

/** dist/ must exist and be at least as new as every non-spec source and the build configuration. */
function distIsStale(): boolean {
  const sources = librarySources().filter((file) => !file.endsWith('.d.ts'));
  const inputs = [...sources, path.join(REPO, 'package.json'), path.join(REPO, 'tsconfig.json'), path.join(REPO, 'tsconfig.build.json')];
  const outputs = sources.flatMap((file) => {
    const base = path.join(DIST, path.relative(LIB, file)).replace(/\.ts$/, '');
    return [`${base}.js`, `${base}.d.ts`];
  });
  if (outputs.some((file) => !existsSync(file))) return true;
  const oldestOutput = Math.min(...outputs.map((file) => statSync(file).mtimeMs));
  // A built module whose source was deleted would still be packed.
  const orphans = existsSync(DIST)
    ? walkFiles(DIST, (file) => file.endsWith('.js')).filter((file) => !existsSync(path.join(LIB, path.relative(DIST, file)).replace(/\.js$/, '.ts')))
    : [];
  return orphans.length > 0 || oldestOutput < newestMtime(inputs);
}

async function run(command: string, args: string[], cwd = REPO): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, { cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`\`${command} ${args.join(' ')}\` failed:\n${stdout ?? ''}\n${stderr ?? ''}`, { cause: error });
  }
}

function exportTarget(subpath: string, condition: 'types' | 'default'): string {
  const entry = pkg.exports[subpath];
  if (typeof entry !== 'object') throw new Error(`exports['${subpath}'] must be an object with types and default`);
  return entry[condition];
}

describe('package manifest', () => {
  beforeAll(async () => {
    if (distIsStale()) await run('npm', ['run', 'build']);
  }, 300_000);

  describe('dependencies', () => {
    it('declares every package that lib/ imports in dependencies or peerDependencies', () => {
      const undeclared = librarySources()
        .flatMap(moduleReferences)
        .filter((reference) => !isRelative(reference.specifier) && !isBuiltin(reference.specifier))
        .filter((reference) => !declared.has(packageNameOf(reference.specifier)));
      // A type-only import of an undeclared package would also break: it ends up in the published .d.ts files.
      expect(undeclared.map(describeReference)).toEqual([]);
    });

    it('uses every package listed in dependencies', () => {
      const imported = new Set(
        librarySources()
          .flatMap(moduleReferences)
          .filter((reference) => !isRelative(reference.specifier))
          .map((reference) => packageNameOf(reference.specifier)),
      );
      expect(Object.keys(pkg.dependencies ?? {}).filter((name) => !imported.has(name))).toEqual([]);
    });

    it('marks typeorm, @nestjs/typeorm, @node-rs/argon2 and ioredis as optional peers', () => {
      expect(optionalPeers.sort()).toEqual(expect.arrayContaining(['@nestjs/typeorm', 'typeorm', '@node-rs/argon2', 'ioredis']));
      for (const name of optionalPeers) expect(pkg.peerDependencies).toHaveProperty([name]);
    });

    it('keeps optional peers out of everything the main entry reaches', () => {
      const { files, bareImports } = moduleGraph(path.join(LIB, 'index.ts'), { runtimeOnly: false });
      // Guard against a vacuous pass: the walk does see the modules behind the index.
      expect(files.size).toBeGreaterThan(10);
      expect(bareImports.map((reference) => packageNameOf(reference.specifier))).toContain('@nestjs/common');

      const optionalImports = bareImports.filter((reference) => optionalPeers.includes(packageNameOf(reference.specifier)));
      expect(optionalImports.map(describeReference)).toEqual([]);
      const reachedTypeormFolder = [...files].filter((file) => file.startsWith(path.join(LIB, 'typeorm') + path.sep));
      expect(reachedTypeormFolder.map((file) => path.relative(REPO, file))).toEqual([]);

      // The same holds for the built JavaScript a consumer actually loads.
      const built = moduleGraph(path.join(DIST, 'index.js'), { runtimeOnly: true });
      const builtOptionalImports = built.bareImports.filter((reference) => optionalPeers.includes(packageNameOf(reference.specifier)));
      expect(builtOptionalImports.map(describeReference)).toEqual([]);
    });

    it('loads the optional peers only from their own entries (./typeorm, ./argon2, ./redis, ./websockets)', () => {
      const typeorm = moduleGraph(path.join(LIB, 'typeorm/index.ts'), { runtimeOnly: true });
      expect(typeorm.bareImports.map((reference) => packageNameOf(reference.specifier))).toContain('typeorm');
      const argon2 = moduleGraph(path.join(LIB, 'argon2/index.ts'), { runtimeOnly: true });
      expect(argon2.bareImports.filter((reference) => !isBuiltin(reference.specifier)).map((reference) => packageNameOf(reference.specifier))).toEqual(['@node-rs/argon2']);
      // The app passes its own ioredis client in, so the entry needs ioredis's types only.
      const redis = moduleGraph(path.join(LIB, 'redis/index.ts'), { runtimeOnly: false });
      expect(redis.bareImports.map((reference) => packageNameOf(reference.specifier))).toContain('ioredis');
      // Gateways need @nestjs/websockets; socket.io and ws themselves are only the app's (structural types here).
      const websockets = moduleGraph(path.join(LIB, 'websockets/index.ts'), { runtimeOnly: true });
      expect(websockets.bareImports.map((reference) => packageNameOf(reference.specifier))).toContain('@nestjs/websockets');
      expect(optionalPeers).toContain('@nestjs/websockets');
      // The auth resolver needs @nestjs/graphql; subscriptions are authenticated through graphql-ws's hooks, described
      // structurally, so graphql-ws and ws are only the app's.
      const graphql = moduleGraph(path.join(LIB, 'graphql/index.ts'), { runtimeOnly: true });
      const graphqlPackages = graphql.bareImports.map((reference) => packageNameOf(reference.specifier));
      expect(graphqlPackages).toContain('@nestjs/graphql');
      expect(graphqlPackages.filter((name) => name === 'graphql-ws' || name === 'ws')).toEqual([]);
      expect(optionalPeers).toEqual(expect.arrayContaining(['@nestjs/graphql', 'graphql']));
      // OpenAPI metadata needs @nestjs/swagger, which apps without it never load.
      const swagger = moduleGraph(path.join(LIB, 'swagger/index.ts'), { runtimeOnly: true });
      expect(swagger.bareImports.map((reference) => packageNameOf(reference.specifier))).toContain('@nestjs/swagger');
      expect(optionalPeers).toContain('@nestjs/swagger');
    });

    it.each(clientEntries.filter((entry) => entry !== './client/testing'))(
      'keeps the %s entry free of runtime imports of packages and Node built-ins (it runs in browsers, without Nest)',
      (entry) => {
        const { bareImports } = moduleGraph(path.join(LIB, entry.slice(2), 'index.ts'), { runtimeOnly: true });
        expect(bareImports.map(describeReference)).toEqual([]);
      },
    );
  });

  describe('exports', () => {
    it(`has exactly the entries ${expectedEntries.join(', ')} (plus ./package.json)`, () => {
      expect(Object.keys(pkg.exports).filter((key) => key !== './package.json').sort()).toEqual([...expectedEntries].sort());
    });

    it.each(expectedEntries)('%s has types first, then default, both pointing at built files', (subpath) => {
      const entry = pkg.exports[subpath];
      expect(typeof entry).toBe('object');
      // TypeScript picks the first matching condition, so `types` must come before `default`.
      expect(Object.keys(entry)).toEqual(['types', 'default']);
      const folder = subpath === '.' ? '' : `${subpath.slice(2)}/`;
      expect(exportTarget(subpath, 'types')).toBe(`./dist/${folder}index.d.ts`);
      expect(exportTarget(subpath, 'default')).toBe(`./dist/${folder}index.js`);
      expect(existsSync(path.join(REPO, exportTarget(subpath, 'types')))).toBe(true);
      expect(existsSync(path.join(REPO, exportTarget(subpath, 'default')))).toBe(true);
    });

    it('gives consumers without exports support (moduleResolution node) the same files through main, types and typesVersions', () => {
      expect(pkg.main).toBe(exportTarget('.', 'default'));
      expect(pkg.types).toBe(exportTarget('.', 'types'));
      const subpaths = expectedEntries.filter((subpath) => subpath !== '.');
      const typesVersions = pkg.typesVersions?.['*'] ?? {};
      expect(Object.keys(typesVersions).sort()).toEqual(subpaths.map((subpath) => subpath.slice(2)).sort());
      for (const subpath of subpaths) {
        expect({ [subpath]: typesVersions[subpath.slice(2)] }).toEqual({ [subpath]: [exportTarget(subpath, 'types')] });
      }
    });

    it.each(['import', 'require'] as const)('every entry loads in plain Node with %s()', async (loader) => {
      // Node resolves the package's own name through its exports map (self-reference), exactly as for a consumer.
      const specifiers = expectedEntries.map((subpath) => (subpath === '.' ? PACKAGE_NAME : `${PACKAGE_NAME}/${subpath.slice(2)}`));
      const script =
        loader === 'import'
          ? `for (const s of ${JSON.stringify(specifiers)}) console.log(s, Object.keys(await import(s)).length);`
          : `for (const s of ${JSON.stringify(specifiers)}) console.log(s, Object.keys(require(s)).length);`;
      const args = loader === 'import' ? ['--input-type=module', '-e', script] : ['--input-type=commonjs', '-e', script];
      const stdout = await run(process.execPath, args);
      const loaded = stdout.trim().split('\n').map((line) => line.split(' '));
      expect(loaded.map(([specifier]) => specifier)).toEqual(specifiers);
      for (const [specifier, count] of loaded) expect({ specifier, exports: Number(count) > 0 }).toEqual({ specifier, exports: true });
    }, 60_000);
  });

  describe('schematics (nest add)', () => {
    it('points "schematics" at a built collection whose nest-add factory and schema are packed', async () => {
      expect(pkg.schematics).toBe('./dist/schematics/collection.json');
      const { schematics } = JSON.parse(readFileSync(path.join(REPO, pkg.schematics!), 'utf8')) as CollectionJson;
      expect(Object.keys(schematics)).toEqual(['nest-add']);
      const stdout = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts']);
      const packed = (JSON.parse(stdout) as { files: { path: string }[] }[])[0].files.map((file) => file.path);
      const collectionDir = path.dirname(pkg.schematics!.slice(2));
      const factory = path.posix.join(collectionDir, schematics['nest-add'].factory.split('#')[0]);
      const schema = path.posix.join(collectionDir, schematics['nest-add'].schema);
      expect(packed).toEqual(expect.arrayContaining([pkg.schematics!.slice(2), factory, schema]));
      // The factory loads in plain Node and exports the function the collection names (the Nest CLI require()s it).
      const exportName = schematics['nest-add'].factory.split('#')[1];
      const loaded = await run(process.execPath, ['--input-type=commonjs', '-e', `console.log(typeof require(${JSON.stringify(path.join(REPO, factory))})[${JSON.stringify(exportName)}])`]);
      expect(loaded.trim()).toBe('function');
    }, 120_000);

    it('declares what the schematic loads (@angular-devkit/schematics, typescript) as optional peers: apps never need them at run time', () => {
      const { bareImports } = moduleGraph(schematicFactories()[0], { runtimeOnly: true });
      const packages = [...new Set(bareImports.filter((reference) => !isBuiltin(reference.specifier)).map((reference) => packageNameOf(reference.specifier)))].sort();
      expect(packages).toEqual(['@angular-devkit/schematics', 'typescript']);
      for (const name of packages) expect({ name, optional: optionalPeers.includes(name) }).toEqual({ name, optional: true });
    });
  });

  describe('published files', () => {
    const forbidden = (file: string): boolean =>
      /\.(e2e-)?spec\./.test(file) ||
      /\.tsbuildinfo$/.test(file) ||
      (/\.ts$/.test(file) && !/\.d\.ts$/.test(file)) ||
      /^(lib|test|sample-app|bench|scripts|build|data|\.ci)\//.test(file);

    it('lists only the build in "files"', () => {
      const included = pkg.files.filter((pattern) => !pattern.startsWith('!'));
      expect(included).toContain('dist');
      const shipsMoreThanTheBuild = (pattern: string): boolean =>
        !/^(\.\/)?dist(\/|$)/.test(pattern) && !/^(README|LICENSE|LICENCE|CHANGELOG)(\.\w+)?$/i.test(pattern);
      expect(included.filter(shipsMoreThanTheBuild)).toEqual([]);
    });

    it('packs the built entry points and no specs, sources, sample app or test files', async () => {
      const stdout = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts']);
      const [report] = JSON.parse(stdout) as { files: { path: string }[] }[];
      const packed = report.files.map((file) => file.path).sort();

      expect(packed.filter(forbidden)).toEqual([]);
      expect(packed).toContain('package.json');
      for (const subpath of expectedEntries) {
        expect(packed).toContain(exportTarget(subpath, 'types').slice(2));
        expect(packed).toContain(exportTarget(subpath, 'default').slice(2));
      }

      // Every packed module must be reachable from an exports entry, through its JavaScript or its declarations
      // (interface-only modules are imported by type only); anything else (test doubles, leftovers) is dead weight
      // that consumers download but can never import.
      const reachable = new Set<string>();
      for (const subpath of expectedEntries) {
        for (const condition of ['default', 'types'] as const) {
          const entry = path.join(REPO, exportTarget(subpath, condition));
          for (const file of moduleGraph(entry, { runtimeOnly: false }).files) {
            reachable.add(path.relative(REPO, file).replace(/\.(d\.ts|js)$/, ''));
          }
        }
      }
      // The `nest add` schematics are entered through package.json's "schematics" collection, not through exports.
      for (const factory of schematicFactories()) {
        for (const entry of [factory, factory.replace(/\.js$/, '.d.ts')]) {
          for (const file of moduleGraph(entry, { runtimeOnly: false }).files) reachable.add(path.relative(REPO, file).replace(/\.(d\.ts|js)$/, ''));
        }
      }
      const unreachable = packed.filter((file) => file.endsWith('.js') && !reachable.has(file.replace(/\.js$/, '')));
      expect(unreachable).toEqual([]);
    }, 120_000);
  });
});
