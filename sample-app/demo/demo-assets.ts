import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** File name of the browser bundle of `nestjs-dual-token-auth/client` (written by scripts/bundle-client.mjs). */
export const CLIENT_BUNDLE_FILE = 'dual-token-auth-client.js';

/**
 * Overrides where the client bundle is looked up first (the browser e2e test bundles into a temporary directory
 * instead of writing into the working tree).
 */
export const CLIENT_BUNDLE_DIR_ENV = 'DEMO_CLIENT_BUNDLE_DIR';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The page files (index.html, demo.js, demo.css) live next to this module in the sources (`sample-app/demo/public`).
 * tsc copies no such files, so the compiled module (`build/sample-app/demo/`) reads them from the sources too: the
 * first ancestor directory holding `sample-app/demo/public`.
 */
const PAGE_DIRS = [path.join(here, 'public'), ...ancestors(here).map((dir) => path.join(dir, 'sample-app/demo/public'))];

function ancestors(start: string): string[] {
  const dirs: string[] = [];
  for (let dir = path.dirname(start); ; dir = path.dirname(dir)) {
    dirs.push(dir);
    if (path.dirname(dir) === dir) return dirs;
  }
}

/** Where `npm run build:sample` puts the bundle (`build/public`), seen from the compiled module and from the cwd. */
function bundleDirs(): string[] {
  const override = process.env[CLIENT_BUNDLE_DIR_ENV];
  return [
    ...(override ? [path.resolve(override)] : []),
    path.resolve(here, '../../public'),
    path.resolve(process.cwd(), 'build/public'),
  ];
}

async function firstExisting(dirs: readonly string[], file: string): Promise<string | null> {
  for (const dir of dirs) {
    const candidate = path.join(dir, file);
    try {
      await access(candidate);
      return candidate;
    } catch {
      // try the next location
    }
  }
  return null;
}

/** Contents of a page file, or null when missing. */
export async function readPageFile(file: string): Promise<string | null> {
  const found = await firstExisting(PAGE_DIRS, file);
  return found ? readFile(found, 'utf8') : null;
}

/** Contents of the client bundle (or its source map), or null when it has not been built. */
export async function readClientBundle(file: string = CLIENT_BUNDLE_FILE): Promise<string | null> {
  const found = await firstExisting(bundleDirs(), file);
  return found ? readFile(found, 'utf8') : null;
}
