import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SampleConfigError } from './sample-config.error.js';
import { validateEnvironment } from './validate-environment.js';

const SECRETS = { JWT_ACCESS_SECRET: 'a'.repeat(40), JWT_REFRESH_SECRET: 'r'.repeat(40) };

/** The message `npm start` prints for these variables, or null when they are accepted. */
function failure(env: Record<string, string>): string | null {
  try {
    validateEnvironment({ ...SECRETS, ...env });
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(SampleConfigError);
    return (error as Error).message;
  }
}

describe('the sample app environment (validateEnvironment)', () => {
  it('applies the README defaults when nothing is set, and treats an empty variable as unset', () => {
    const expected = {
      PORT: 3000,
      DATABASE_URL: undefined,
      SQLITE_PATH: 'data/sample-app.sqlite',
      JWT_ACCESS_EXPIRES_IN: '30m',
      JWT_REFRESH_EXPIRES_IN: '7d',
      REFRESH_REUSE_GRACE_SECONDS: 10,
      SESSION_MAX_AGE: '30d',
      REVOCATION_CHECK_CACHE_SECONDS: 5,
      SEED_DEMO_USER: true,
      RATE_LIMIT_ENABLED: true,
      LOGIN_MAX_FAILURES_PER_USERNAME_AND_IP: 10,
      LOGIN_MAX_FAILURES_PER_IP: 100,
      LOGIN_MAX_FAILURES_PER_USERNAME: 1000,
      LOGIN_FAILURE_WINDOW_SECONDS: 900,
      REFRESH_MAX_PER_MINUTE_PER_IP: 600,
      REFRESH_TOKEN_COOKIE: false,
      COOKIE_SECURE: true,
    };
    expect(validateEnvironment(SECRETS)).toMatchObject(expected);
    expect(validateEnvironment({ ...SECRETS, PORT: '', SEED_DEMO_USER: '', DATABASE_URL: '' })).toMatchObject(expected);
  });

  it('reads numbers and the boolean words the README allows', () => {
    const env = validateEnvironment({
      ...SECRETS,
      PORT: '8080',
      REFRESH_REUSE_GRACE_SECONDS: '0',
      SEED_DEMO_USER: 'No',
      RATE_LIMIT_ENABLED: 'off',
      REFRESH_TOKEN_COOKIE: '1',
      COOKIE_SECURE: 'FALSE',
    });
    expect(env).toMatchObject({
      PORT: 8080,
      REFRESH_REUSE_GRACE_SECONDS: 0,
      SEED_DEMO_USER: false,
      RATE_LIMIT_ENABLED: false,
      REFRESH_TOKEN_COOKIE: true,
      COOKIE_SECURE: false,
    });
  });

  it('names each unusable variable and what it received', () => {
    expect(failure({ PORT: 'abc' })).toBe('PORT must be an integer between 0 and 65535, got "abc"');
    expect(failure({ PORT: '70000' })).toBe('PORT must be an integer between 0 and 65535, got "70000"');
    expect(failure({ REFRESH_REUSE_GRACE_SECONDS: '1.5' })).toBe(
      'REFRESH_REUSE_GRACE_SECONDS must be an integer between 0 and 300, got "1.5"',
    );
    expect(failure({ SEED_DEMO_USER: 'maybe' })).toBe('SEED_DEMO_USER must be true or false, got "maybe"');
    expect(failure({ SEED_DEMO_ADMIN: 'true' })).toBe('DEMO_ADMIN_PASSWORD must be set when SEED_DEMO_ADMIN=true');
    expect(failure({ SEED_DEMO_ADMIN: 'true', DEMO_ADMIN_PASSWORD: 'admin' })).toBe(
      'DEMO_ADMIN_PASSWORD must be 8 to 128 characters long and contain at least one letter and one digit',
    );
    expect(failure({ SEED_DEMO_ADMIN: 'true', DEMO_ADMIN_PASSWORD: 'admin-pass-1' })).toBeNull();
    expect(failure({ DEMO_ADMIN_PASSWORD: 'x' })).toBeNull(); // read only when SEED_DEMO_ADMIN=true
    expect(failure({ PORT: '-1', COOKIE_SECURE: 'sure' })).toBe(
      'PORT must be an integer between 0 and 65535, got "-1"; COOKIE_SECURE must be true or false, got "sure"',
    );
  });

  it('runs on Express unless HTTP_ADAPTER names fastify, and names any other value', () => {
    expect(validateEnvironment({ ...SECRETS }).HTTP_ADAPTER).toBe('express');
    expect(validateEnvironment({ ...SECRETS, HTTP_ADAPTER: 'fastify' }).HTTP_ADAPTER).toBe('fastify');
    expect(failure({ HTTP_ADAPTER: 'koa' })).toBe('HTTP_ADAPTER must be express or fastify, got "koa"');
  });

  it('checks the login limits only while rate limiting is on', () => {
    expect(failure({ LOGIN_MAX_FAILURES_PER_IP: '0' })).toBe(
      'LOGIN_MAX_FAILURES_PER_IP must be an integer between 1 and 1000000, got "0"',
    );
    expect(failure({ RATE_LIMIT_ENABLED: 'false', LOGIN_MAX_FAILURES_PER_IP: '0' })).toBeNull();
  });

  it('accepts mysql://, mariadb://, postgres:// and postgresql:// database URLs and never repeats the URL (it holds the password)', () => {
    expect(failure({ DATABASE_URL: 'mysql://app:pw@db.internal:3306/app' })).toBeNull();
    expect(failure({ DATABASE_URL: 'mariadb://app:pw@127.0.0.1:3306/app' })).toBeNull();
    expect(failure({ DATABASE_URL: 'postgres://app:pw@db.internal:5432/app' })).toBeNull();
    expect(failure({ DATABASE_URL: 'postgresql://app:pw@127.0.0.1/app' })).toBeNull();
    expect(failure({ DATABASE_URL: 'not a url' })).toBe(
      'DATABASE_URL must look like mysql://user:pass@host:3306/db or postgres://user:pass@host:5432/db',
    );
    const wrongProtocol = failure({ DATABASE_URL: 'mssql://app:hunter2@db/app' });
    expect(wrongProtocol).toBe('DATABASE_URL must be a mysql:// or postgres:// URL, got protocol mssql:');
    expect(wrongProtocol).not.toContain('hunter2');
  });

  it('refuses to run in production without both secrets, and uses development secrets elsewhere', () => {
    expect(validateEnvironment({ NODE_ENV: 'production', ...SECRETS })).toMatchObject(SECRETS);
    expect(() => validateEnvironment({ NODE_ENV: 'production', JWT_REFRESH_SECRET: SECRETS.JWT_REFRESH_SECRET })).toThrow(
      'JWT_ACCESS_SECRET must be set when NODE_ENV=production',
    );
  });

  it('outside production, generates strong secrets once, keeps them in the data folder (mode 0600) and reuses them', () => {
    const folder = mkdtempSync(join(tmpdir(), 'sample-secrets-'));
    try {
      const sqlitePath = join(folder, 'sample-app.sqlite');
      const first = validateEnvironment({ SQLITE_PATH: sqlitePath });
      const second = validateEnvironment({ SQLITE_PATH: sqlitePath });

      expect(Buffer.from(first.JWT_ACCESS_SECRET, 'base64url').length).toBeGreaterThanOrEqual(32);
      expect(Buffer.from(first.JWT_REFRESH_SECRET, 'base64url').length).toBeGreaterThanOrEqual(32);
      expect(first.JWT_ACCESS_SECRET).not.toBe(first.JWT_REFRESH_SECRET);
      expect(second.JWT_ACCESS_SECRET).toBe(first.JWT_ACCESS_SECRET);
      expect(second.JWT_REFRESH_SECRET).toBe(first.JWT_REFRESH_SECRET);
      expect(statSync(join(folder, 'jwt-secrets.json')).mode & 0o777).toBe(0o600);

      const elsewhere = mkdtempSync(join(tmpdir(), 'sample-secrets-'));
      try {
        expect(validateEnvironment({ SQLITE_PATH: join(elsewhere, 'db.sqlite') }).JWT_ACCESS_SECRET).not.toBe(first.JWT_ACCESS_SECRET);
      } finally {
        rmSync(elsewhere, { recursive: true, force: true });
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
