import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { generateKeyPairSync } from 'node:crypto';
import { InvalidAuthConfigurationError } from '../exceptions/invalid-auth-configuration.error.js';
import type { DualTokenAuthOptions } from '../interfaces/dual-token-auth-options.interface.js';
import type { SessionStore } from '../interfaces/session-store.interface.js';
import type { UserLookup } from '../interfaces/user-lookup.interface.js';
import { InMemorySessionStore } from '../stores/in-memory-session.store.js';
import { sessionStoreOrDefault } from '../dual-token-auth.providers.js';
import { DEFAULT_MESSAGES } from './auth-config.defaults.js';
import { resolveAuthConfig } from './resolve-auth-config.js';

const ACCESS_SECRET = 'unit-access-secret-0123456789abcdef0123';
const REFRESH_SECRET = 'unit-refresh-secret-0123456789abcdef012';

const userLookup: UserLookup<{ id: number }> = {
  validateCredentials: async () => null,
  findById: async () => null,
  toAccessTokenClaims: (user) => ({ userId: user.id }),
};

function options(overrides: Partial<DualTokenAuthOptions> = {}): DualTokenAuthOptions {
  return {
    accessToken: { secret: ACCESS_SECRET },
    refreshToken: { secret: REFRESH_SECRET },
    userLookup,
    production: false,
    ...overrides,
  };
}

/** Runs `fn` and returns what it threw, so a test can check both the class and the message. */
function thrownBy(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to throw');
}

describe('resolveAuthConfig', () => {
  let warn: ReturnType<typeof jest.spyOn>;

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  describe('defaults', () => {
    it('applies the documented defaults', () => {
      const config = resolveAuthConfig(options());

      expect(config.accessToken.algorithm).toBe('HS256');
      expect(config.refreshToken.algorithm).toBe('HS256');
      expect(config.accessToken.expiresInMs).toBe(30 * 60_000);
      expect(config.refreshToken.expiresInMs).toBe(7 * 86_400_000);
      expect(config.reuseGraceMs).toBe(10_000);
      expect(config.sessionMaxAgeMs).toBe(30 * 86_400_000);
      expect(config.revocationCheckCacheMs).toBe(5_000);
      expect(config.clockToleranceMs).toBe(0);
      expect(config.rejectRevokedAccessTokens).toBe(false);
      expect(config.messages).toEqual(DEFAULT_MESSAGES);
      expect(sessionStoreOrDefault(options(), config.production)).toBeInstanceOf(InMemorySessionStore);
      expect(warn).not.toHaveBeenCalled();
    });

    it('keeps a given session store and converts given lifetimes', () => {
      const sessionStore: SessionStore = new InMemorySessionStore();
      const config = resolveAuthConfig(
        options({
          sessionStore,
          accessToken: { secret: ACCESS_SECRET, expiresIn: '15m' },
          refreshToken: { secret: REFRESH_SECRET, expiresIn: 3600 },
          sessionMaxAge: '2d',
          reuseGraceSeconds: 0,
          revocationCheckCacheSeconds: 1,
          clockToleranceSeconds: 3,
        }),
      );

      expect(sessionStoreOrDefault({ sessionStore }, config.production)).toBe(sessionStore);
      expect(config.accessToken.expiresInMs).toBe(900_000);
      expect(config.refreshToken.expiresInMs).toBe(3_600_000);
      expect(config.sessionMaxAgeMs).toBe(2 * 86_400_000);
      expect(config.reuseGraceMs).toBe(0);
      expect(config.revocationCheckCacheMs).toBe(1_000);
      expect(config.clockToleranceMs).toBe(3_000);
    });

    it('merges partial messages over the defaults', () => {
      const config = resolveAuthConfig(options({ messages: { notLoggedIn: '请先登录', tokenInvalid: undefined } }));

      expect(config.messages).toEqual({ ...DEFAULT_MESSAGES, notLoggedIn: '请先登录' });
    });

    it('lets a token kind override the top-level algorithm', () => {
      const config = resolveAuthConfig(
        options({ algorithm: 'HS512', refreshToken: { secret: REFRESH_SECRET, algorithm: 'HS384' } }),
      );

      expect(config.accessToken.algorithm).toBe('HS512');
      expect(config.refreshToken.algorithm).toBe('HS384');
    });

    it('follows NODE_ENV when production is not given', () => {
      const previous = process.env.NODE_ENV;
      process.env.NODE_ENV = 'production';
      try {
        expect(resolveAuthConfig({ ...options(), production: undefined }).production).toBe(true);
      } finally {
        process.env.NODE_ENV = previous;
      }
      expect(resolveAuthConfig({ ...options(), production: undefined }).production).toBe(false);
    });
  });

  describe('missing pieces', () => {
    it('refuses a missing access-token secret, naming accessToken.secret', () => {
      const error = thrownBy(() => resolveAuthConfig(options({ accessToken: {} })));

      expect(error).toBeInstanceOf(InvalidAuthConfigurationError);
      expect(error.message).toContain('accessToken.secret');
    });

    it('refuses an empty access-token secret (an unset environment variable), naming accessToken.secret', () => {
      const error = thrownBy(() => resolveAuthConfig(options({ accessToken: { secret: '' } })));

      expect(error).toBeInstanceOf(InvalidAuthConfigurationError);
      expect(error.message).toContain('accessToken.secret');
    });

    it('refuses a missing refresh-token secret, naming refreshToken.secret', () => {
      const error = thrownBy(() => resolveAuthConfig(options({ refreshToken: { secret: undefined } })));

      expect(error).toBeInstanceOf(InvalidAuthConfigurationError);
      expect(error.message).toContain('refreshToken.secret');
    });

    it('refuses a missing token kind, naming it', () => {
      const error = thrownBy(() => resolveAuthConfig({ ...options(), refreshToken: undefined as never }));

      expect(error).toBeInstanceOf(InvalidAuthConfigurationError);
      expect(error.message).toContain('refreshToken is required');
    });

    it('refuses an asymmetric algorithm without a private key, naming accessToken.privateKey', () => {
      const error = thrownBy(() => resolveAuthConfig(options({ algorithm: 'RS256' })));

      expect(error).toBeInstanceOf(InvalidAuthConfigurationError);
      expect(error.message).toContain('accessToken.privateKey');
    });

    it('accepts an asymmetric algorithm with private keys and no secrets', () => {
      const { privateKey } = generateKeyPairSync('ed25519');
      const config = resolveAuthConfig(
        options({ algorithm: 'EdDSA', accessToken: { privateKey }, refreshToken: { privateKey } }),
      );

      expect(config.accessToken.algorithm).toBe('EdDSA');
    });

    it('refuses a missing userLookup, naming it', () => {
      const error = thrownBy(() => resolveAuthConfig({ ...options(), userLookup: undefined as never }));

      expect(error).toBeInstanceOf(InvalidAuthConfigurationError);
      expect(error.message).toContain('userLookup is required');
    });

    it('refuses missing options altogether', () => {
      expect(() => resolveAuthConfig(undefined as never)).toThrow(InvalidAuthConfigurationError);
    });
  });

  describe('weak secrets', () => {
    it('refuses the same secret for both kinds in production', () => {
      const error = thrownBy(() =>
        resolveAuthConfig(options({ production: true, refreshToken: { secret: ACCESS_SECRET } })),
      );

      expect(error).toBeInstanceOf(InvalidAuthConfigurationError);
      expect(error.message).toContain('same secret');
    });

    it('refuses the same secret given once as a string and once as a Buffer in production', () => {
      expect(() =>
        resolveAuthConfig(options({ production: true, refreshToken: { secret: Buffer.from(ACCESS_SECRET) } })),
      ).toThrow(/same secret/);
    });

    it('allows the same secret outside production, with a warning', () => {
      const config = resolveAuthConfig(options({ refreshToken: { secret: ACCESS_SECRET } }));

      expect(config.refreshToken.secret).toBe(ACCESS_SECRET);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('same secret'));
    });

    it('refuses a secret shorter than 32 bytes in production, naming the option', () => {
      const error = thrownBy(() =>
        resolveAuthConfig(options({ production: true, accessToken: { secret: 'short-but-not-empty' } })),
      );

      expect(error).toBeInstanceOf(InvalidAuthConfigurationError);
      expect(error.message).toContain('accessToken.secret is 19 bytes');
      expect(error.message).toContain('at least 32');
    });

    it('measures the secret in bytes, not characters', () => {
      // 16 characters, 48 bytes in UTF-8.
      expect(() => resolveAuthConfig(options({ production: true, accessToken: { secret: '密'.repeat(16) } }))).not.toThrow();
      // 31 bytes
      expect(() =>
        resolveAuthConfig(options({ production: true, refreshToken: { secret: 'x'.repeat(31) } })),
      ).toThrow(/refreshToken\.secret is 31 bytes/);
    });

    it('allows a short secret outside production, with a warning', () => {
      resolveAuthConfig(options({ accessToken: { secret: 'secret' } }));

      expect(warn).toHaveBeenCalledWith(expect.stringContaining('accessToken.secret is 6 bytes'));
    });

    it('warns in production when sessions are only kept in memory', () => {
      const config = resolveAuthConfig(options({ production: true }));
      sessionStoreOrDefault(options({ production: true }), config.production);

      expect(warn).toHaveBeenCalledWith(expect.stringContaining('No sessionStore configured'));
    });
  });

  describe('bad values', () => {
    it.each([
      ['accessToken.expiresIn', { accessToken: { secret: ACCESS_SECRET, expiresIn: '30 minutes' } }],
      ['refreshToken.expiresIn', { refreshToken: { secret: REFRESH_SECRET, expiresIn: -1 } }],
      ['sessionMaxAge', { sessionMaxAge: '0d' }],
      ['rolesClaim', { rolesClaim: '' }],
      ['permissionsClaim', { permissionsClaim: 42 as unknown as string }],
      ['revocationCheckCacheMaxSessions', { revocationCheckCacheMaxSessions: 0 }],
      ['revocationCheckCacheMaxSessions', { revocationCheckCacheMaxSessions: 2.5 }],
    ] as const)('refuses a bad %s, naming it', (name, overrides) => {
      const error = thrownBy(() => resolveAuthConfig(options(overrides as Partial<DualTokenAuthOptions>)));

      expect(error).toBeInstanceOf(InvalidAuthConfigurationError);
      expect(error.message).toContain(`${name} must be`);
    });

    it.each([['reuseGraceSeconds'], ['clockToleranceSeconds'], ['revocationCheckCacheSeconds']])(
      'refuses a negative %s, naming it',
      (name) => {
        const error = thrownBy(() => resolveAuthConfig(options({ [name]: -1 })));

        expect(error).toBeInstanceOf(InvalidAuthConfigurationError);
        expect(error.message).toContain(`${name} must be a number of seconds >= 0`);
      },
    );
  });

  describe('client address and rate-limit keys', () => {
    it('trusts no proxy and groups IPv6 by /64 unless told otherwise', () => {
      const config = resolveAuthConfig(options());

      expect(config.trustProxy).toBe(false);
      expect(config.rateLimit).toMatchObject({ ipv6PrefixLength: 64 });
    });

    it.each([
      [1, 1],
      ['2', 2],
      [0, false],
      ['', false],
      ['10.0.0.1, 10.0.0.0/8', ['10.0.0.1', '10.0.0.0/8']],
      [['loopback', '::1'], ['loopback', '::1']],
    ] as const)('trustProxy %j means %j (digits from an environment variable are a hop count)', (given, resolved) => {
      expect(resolveAuthConfig(options({ trustProxy: given as never })).trustProxy).toEqual(resolved);
    });

    it('refuses trustProxy: true, saying what to give instead', () => {
      const error = thrownBy(() => resolveAuthConfig(options({ trustProxy: true as never })));

      expect(error).toBeInstanceOf(InvalidAuthConfigurationError);
      expect(error.message).toMatch(/trustProxy: true would believe any X-Forwarded-For header.*number of proxies.*addresses/s);
    });

    it.each([['0.0.0.0/0'], ['::/0'], ['10.0.0.300'], ['proxy.internal']])('refuses trustProxy %j at startup', (given) => {
      const error = thrownBy(() => resolveAuthConfig(options({ trustProxy: given })));

      expect(error).toBeInstanceOf(InvalidAuthConfigurationError);
      expect(error.message).toContain('trustProxy');
    });

    it.each([[0], [129], [1.5]])('refuses rateLimit.ipv6PrefixLength %j', (ipv6PrefixLength) => {
      const error = thrownBy(() => resolveAuthConfig(options({ rateLimit: { ipv6PrefixLength } })));

      expect(error).toBeInstanceOf(InvalidAuthConfigurationError);
      expect(error.message).toContain('rateLimit.ipv6PrefixLength must be');
    });

    it('keeps a clientKey hook and refuses one that is not a function', () => {
      const clientKey = () => 'tenant-1';
      expect(resolveAuthConfig(options({ rateLimit: { clientKey } })).rateLimit).toMatchObject({ clientKey, maxFailuresPerIp: 100 });

      const error = thrownBy(() => resolveAuthConfig(options({ rateLimit: { clientKey: 'x-api-key' as never } })));
      expect(error.message).toContain('rateLimit.clientKey must be a function');
    });
  });
});
