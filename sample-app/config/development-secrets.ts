import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The two signing secrets of a development run. */
export interface DevelopmentSecrets {
  JWT_ACCESS_SECRET: string;
  JWT_REFRESH_SECRET: string;
}

/** Name of the file, next to the embedded database, that keeps the generated secrets. */
export const DEVELOPMENT_SECRETS_FILE = 'jwt-secrets.json';

/**
 * Secrets for a run without `JWT_ACCESS_SECRET`/`JWT_REFRESH_SECRET` outside production: generated once (48 random
 * bytes each) and kept in `<data folder>/jwt-secrets.json`, readable by the owner only (mode 0600) and ignored by git.
 * So tokens survive a restart, instances started from the same folder agree, and no secret written in the repository
 * signs a token anyone accepts.
 */
export function loadOrCreateDevelopmentSecrets(dataFolder: string): { secrets: DevelopmentSecrets; path: string } {
  const path = join(dataFolder, DEVELOPMENT_SECRETS_FILE);
  const existing = readSecrets(path);
  if (existing) return { secrets: existing, path };
  const generated: DevelopmentSecrets = {
    JWT_ACCESS_SECRET: randomBytes(48).toString('base64url'),
    JWT_REFRESH_SECRET: randomBytes(48).toString('base64url'),
  };
  mkdirSync(dirname(path), { recursive: true });
  try {
    // 'wx': when two instances start at once, the second one's write fails and it reads the first one's secrets.
    writeFileSync(path, `${JSON.stringify(generated, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    return { secrets: generated, path };
  } catch (error) {
    const written = (error as NodeJS.ErrnoException).code === 'EEXIST' ? readSecrets(path) : null;
    if (!written) throw error;
    return { secrets: written, path };
  }
}

function readSecrets(path: string): DevelopmentSecrets | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const parsed = JSON.parse(text) as Partial<DevelopmentSecrets>;
  if (typeof parsed.JWT_ACCESS_SECRET !== 'string' || typeof parsed.JWT_REFRESH_SECRET !== 'string') {
    throw new Error(`${path} must hold JWT_ACCESS_SECRET and JWT_REFRESH_SECRET; delete it to generate new secrets`);
  }
  return parsed as DevelopmentSecrets;
}
