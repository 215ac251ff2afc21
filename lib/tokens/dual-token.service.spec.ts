import { afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { InvalidTokenError } from '../exceptions/invalid-token.error.js';
import type { DualTokenAuthOptions } from '../interfaces/dual-token-auth-options.interface.js';
import type { UserLookup } from '../interfaces/user-lookup.interface.js';
import { resolveAuthConfig } from '../config/resolve-auth-config.js';
import { DualTokenService } from './dual-token.service.js';

const ACCESS_SECRET = 'unit-access-secret-0123456789abcdef0123';
const REFRESH_SECRET = 'unit-refresh-secret-0123456789abcdef012';
const SESSION_ID = '6f1c2a47-1d1e-4a57-9d55-9b0f3a1f4c11';

const userLookup: UserLookup<never> = {
  validateCredentials: async () => null,
  findById: async () => null,
  toAccessTokenClaims: () => ({ userId: 0 }),
};

function createService(overrides: Partial<DualTokenAuthOptions> = {}): DualTokenService {
  return new DualTokenService(
    resolveAuthConfig({
      accessToken: { secret: ACCESS_SECRET },
      refreshToken: { secret: REFRESH_SECRET },
      userLookup,
      production: false,
      ...overrides,
    }),
  );
}

// --- hand-made JWTs, so the tests do not depend on the library's own signer ---

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function decodePart(token: string, index: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[index], 'base64url').toString('utf8')) as Record<string, unknown>;
}

const HMAC_HASH = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as const;

/** Signs header and payload with HMAC, whatever `alg` the header claims. */
function hmacJwt(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: string | Buffer,
  hash: (typeof HMAC_HASH)[keyof typeof HMAC_HASH] = 'sha256',
): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${createHmac(hash, key).update(input).digest('base64url')}`;
}

function accessClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    userId: 1,
    username: 'alice',
    sub: '1',
    sid: SESSION_ID,
    token_type: 'access',
    iat: now,
    exp: now + 600,
    ...overrides,
  };
}

function refreshClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return { userId: 1, sub: '1', sid: SESSION_ID, gen: 0, token_type: 'refresh', iat: now, exp: now + 600, ...overrides };
}

const ACCESS_HEADER = { alg: 'HS256', typ: 'at+jwt' };
const REFRESH_HEADER = { alg: 'HS256', typ: 'rt+jwt' };

function expectInvalid(verify: () => unknown, reason?: string): void {
  let caught: unknown;
  try {
    verify();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InvalidTokenError);
  if (reason) expect((caught as InvalidTokenError).reason).toBe(reason);
}

describe('DualTokenService', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  describe('signing', () => {
    const service = createService();

    it('signs access tokens typed at+jwt with the user claims, sub, sid and token_type access', () => {
      const before = Math.floor(Date.now() / 1000);
      const { token, expiresAt } = service.signAccessToken({ userId: 1, username: 'alice', roles: ['admin'] }, SESSION_ID);

      expect(decodePart(token, 0)).toEqual({ alg: 'HS256', typ: 'at+jwt' });
      const payload = decodePart(token, 1);
      expect(payload).toMatchObject({
        userId: 1,
        username: 'alice',
        roles: ['admin'],
        sub: '1',
        sid: SESSION_ID,
        token_type: 'access',
      });
      expect(payload.iat).toBeGreaterThanOrEqual(before);
      expect(payload.exp).toBe((payload.iat as number) + 30 * 60);
      expect(expiresAt.getTime()).toBe((payload.exp as number) * 1000);
      expect(service.accessTokenLifetimeSeconds).toBe(1800);
    });

    it('signs refresh tokens typed rt+jwt with token_type refresh, sid and gen, expiring when asked', () => {
      const expiresAt = new Date(Math.floor(Date.now() / 1000) * 1000 + 3_600_000);
      const token = service.signRefreshToken({ userId: 'u-42', sessionId: SESSION_ID, generation: 3, expiresAt });

      expect(decodePart(token, 0)).toEqual({ alg: 'HS256', typ: 'rt+jwt' });
      expect(decodePart(token, 1)).toMatchObject({
        sub: 'u-42',
        userId: 'u-42',
        sid: SESSION_ID,
        gen: 3,
        token_type: 'refresh',
        exp: expiresAt.getTime() / 1000,
      });
    });

    it('round-trips both kinds through their own verify method', () => {
      const access = service.signAccessToken({ userId: 7, username: 'bob' }, SESSION_ID).token;
      const refresh = service.signRefreshToken({ userId: 7, sessionId: SESSION_ID, generation: 0, expiresAt: new Date(Date.now() + 60_000) });

      expect(service.verifyAccessToken(access)).toMatchObject({ userId: 7, username: 'bob', sub: '7', sid: SESSION_ID });
      expect(service.verifyRefreshToken(refresh)).toMatchObject({ userId: 7, sub: '7', sid: SESSION_ID, gen: 0 });
    });

    it('does not let user-lookup claims override the claims the library owns', () => {
      const claims = {
        userId: 1,
        username: 'alice',
        token_type: 'refresh',
        sid: 'attacker-session',
        sub: '999',
        gen: 5,
        exp: 1,
        iat: 1,
        iss: 'evil',
        aud: 'evil',
        jti: 'x',
        nbf: 9_999_999_999,
      };
      const { token } = service.signAccessToken(claims, SESSION_ID);
      const payload = decodePart(token, 1);

      expect(payload).toMatchObject({ userId: 1, username: 'alice', sub: '1', sid: SESSION_ID, token_type: 'access' });
      for (const reserved of ['gen', 'iss', 'aud', 'jti', 'nbf']) expect(payload).not.toHaveProperty(reserved);
      expect(payload.exp).toBeGreaterThan(Date.now() / 1000);
      expect(service.verifyAccessToken(token).token_type).toBe('access');
      expectInvalid(() => service.verifyRefreshToken(token));
    });
  });

  describe.each([
    ['different secrets', REFRESH_SECRET],
    ['one shared secret', ACCESS_SECRET],
  ])('token kinds cannot be swapped (%s)', (_label, refreshSecret) => {
    beforeEach(() => {
      // The shared-secret case warns at construction; the warning is resolve-auth-config's concern.
      jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    });

    const service = (): DualTokenService => createService({ refreshToken: { secret: refreshSecret } });

    it('rejects a refresh token presented as an access token', () => {
      const s = service();
      const refresh = s.signRefreshToken({ userId: 1, sessionId: SESSION_ID, generation: 0, expiresAt: new Date(Date.now() + 60_000) });

      expectInvalid(() => s.verifyAccessToken(refresh));
    });

    it('rejects an access token presented as a refresh token', () => {
      const s = service();
      const { token } = s.signAccessToken({ userId: 1, username: 'alice' }, SESSION_ID);

      expectInvalid(() => s.verifyRefreshToken(token));
    });

    it('rejects a correctly signed token without a token_type claim', () => {
      const s = service();
      const { token_type: _a, ...noKindAccess } = accessClaims();
      const { token_type: _r, ...noKindRefresh } = refreshClaims();

      expectInvalid(() => s.verifyAccessToken(hmacJwt(ACCESS_HEADER, noKindAccess, ACCESS_SECRET)));
      expectInvalid(() => s.verifyRefreshToken(hmacJwt(REFRESH_HEADER, noKindRefresh, refreshSecret)));
    });

    it('rejects a correctly signed token with the plain typ JWT or no typ', () => {
      const s = service();

      expectInvalid(() => s.verifyAccessToken(hmacJwt({ alg: 'HS256', typ: 'JWT' }, accessClaims(), ACCESS_SECRET)), 'wrong-kind');
      expectInvalid(() => s.verifyAccessToken(hmacJwt({ alg: 'HS256' }, accessClaims(), ACCESS_SECRET)), 'wrong-kind');
      expectInvalid(() => s.verifyRefreshToken(hmacJwt({ alg: 'HS256', typ: 'JWT' }, refreshClaims(), refreshSecret)), 'wrong-kind');
    });

    it('rejects a token whose typ header and token_type claim disagree', () => {
      const s = service();

      expectInvalid(() =>
        s.verifyAccessToken(hmacJwt(ACCESS_HEADER, accessClaims({ token_type: 'refresh' }), ACCESS_SECRET)),
        'wrong-kind',
      );
      expectInvalid(() =>
        s.verifyRefreshToken(hmacJwt(REFRESH_HEADER, refreshClaims({ token_type: 'access' }), refreshSecret)),
        'wrong-kind',
      );
    });
  });

  describe('rejected access tokens', () => {
    const service = createService();

    it('accepts a hand-made token that follows the rules (control case)', () => {
      expect(service.verifyAccessToken(hmacJwt(ACCESS_HEADER, accessClaims(), ACCESS_SECRET))).toMatchObject({ userId: 1 });
    });

    it('rejects alg none', () => {
      const unsigned = `${b64url({ alg: 'none', typ: 'at+jwt' })}.${b64url(accessClaims())}.`;

      expectInvalid(() => service.verifyAccessToken(unsigned));
    });

    it.each([['HS384'], ['HS512']] as const)('rejects a token signed with %s when HS256 is pinned, even with the right secret', (alg) => {
      const token = hmacJwt({ alg, typ: 'at+jwt' }, accessClaims(), ACCESS_SECRET, HMAC_HASH[alg]);

      expectInvalid(() => service.verifyAccessToken(token), 'wrong-algorithm');
    });

    it('rejects a tampered payload', () => {
      const { token } = service.signAccessToken({ userId: 1, username: 'alice' }, SESSION_ID);
      const [header, , signature] = token.split('.');
      const forged = `${header}.${b64url({ ...decodePart(token, 1), userId: 2, sub: '2', username: 'admin' })}.${signature}`;

      expectInvalid(() => service.verifyAccessToken(forged), 'bad-signature');
    });

    it('rejects a tampered payload carrying the signature of a token it has just accepted, and keeps accepting that token', () => {
      const { token } = service.signAccessToken({ userId: 1, username: 'alice' }, SESSION_ID);
      expect(service.verifyAccessToken(token).username).toBe('alice'); // now in the verified-token cache
      const [header, , signature] = token.split('.');
      const forged = `${header}.${b64url({ ...decodePart(token, 1), userId: 2, sub: '2', username: 'admin' })}.${signature}`;

      expectInvalid(() => service.verifyAccessToken(forged), 'bad-signature');
      expect(service.verifyAccessToken(token).username).toBe('alice');
    });

    it('rejects another spelling of a valid signature (the unused bits of its last character), and accepts the real one', () => {
      const { token } = createService().signAccessToken({ userId: 1, username: 'alice' }, SESSION_ID);
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const respelled = `${token.slice(0, -1)}${alphabet[alphabet.indexOf(token.at(-1)!) ^ 1]}`;
      expect(Buffer.from(respelled.split('.')[2]!, 'base64url')).toEqual(Buffer.from(token.split('.')[2]!, 'base64url'));

      expectInvalid(() => service.verifyAccessToken(respelled), 'malformed');
      expect(service.verifyAccessToken(token).username).toBe('alice');
    });

    it('rejects a token signed with another secret', () => {
      const token = hmacJwt(ACCESS_HEADER, accessClaims(), 'some-other-secret-0123456789abcdef0123');

      expectInvalid(() => service.verifyAccessToken(token), 'bad-signature');
    });

    it('rejects a refresh-kind token signed with the access secret (each kind has its own key)', () => {
      const token = hmacJwt(REFRESH_HEADER, refreshClaims(), ACCESS_SECRET);

      expectInvalid(() => service.verifyRefreshToken(token), 'bad-signature');
    });

    it('rejects an expired token', () => {
      const now = Math.floor(Date.now() / 1000);
      const token = hmacJwt(ACCESS_HEADER, accessClaims({ iat: now - 120, exp: now - 60 }), ACCESS_SECRET);

      expectInvalid(() => service.verifyAccessToken(token), 'expired');
    });

    it('rejects a token that expired while cached', () => {
      const start = Date.now();
      const { token } = service.signAccessToken({ userId: 1 }, SESSION_ID, start);
      expect(service.verifyAccessToken(token).userId).toBe(1);

      jest.spyOn(Date, 'now').mockReturnValue(start + 31 * 60_000);

      expectInvalid(() => service.verifyAccessToken(token), 'expired');
    });

    it('rejects a token without the required claims', () => {
      const { sid: _sid, ...noSid } = accessClaims();
      const { exp: _exp, ...noExp } = accessClaims();

      expectInvalid(() => service.verifyAccessToken(hmacJwt(ACCESS_HEADER, noSid, ACCESS_SECRET)));
      expectInvalid(() => service.verifyAccessToken(hmacJwt(ACCESS_HEADER, noExp, ACCESS_SECRET)));
    });

    it.each([[''], ['not-a-jwt'], ['a.b.c'], ['....']])('rejects the malformed token %j', (token) => {
      expectInvalid(() => service.verifyAccessToken(token));
      expectInvalid(() => service.verifyRefreshToken(token));
    });

    it('returns a payload that later verifications do not share (mutating request.user cannot leak into other requests)', () => {
      const { token } = service.signAccessToken({ userId: 1, username: 'alice' }, SESSION_ID);
      const first = service.verifyAccessToken(token);
      first.username = 'mallory';

      expect(service.verifyAccessToken(token).username).toBe('alice');
    });

    it.each([
      ['only primitive claims', { userId: 1, username: 'alice' }],
      ['a nested claim', { userId: 1, username: 'alice', roles: ['reader'], org: { id: 7 } }],
    ])('gives every verification of one token its own payload, whatever the caller did to the earlier ones (%s)', (_, claims) => {
      const { token } = service.signAccessToken(claims, SESSION_ID);
      const expected = service.verifyAccessToken(token);
      const handedOut: object[] = [expected];
      // The first verification parses, the second admits the token to the verified-token cache, the rest are cache hits.
      for (let verification = 2; verification <= 5; verification += 1) {
        const payload = service.verifyAccessToken(token);
        expect(payload).toEqual(expected);
        expect(handedOut).not.toContain(payload);
        handedOut.push(payload);
        payload.username = 'mallory';
        payload.sub = '2';
        if (Array.isArray(payload.roles)) payload.roles.push('admin');
        if (payload.org) (payload.org as { id: number }).id = 8;
        delete (payload as Partial<typeof payload>).exp;
      }
      expect(service.verifyAccessToken(token)).toEqual({ ...claims, sub: '1', sid: SESSION_ID, token_type: 'access', iat: expect.any(Number), exp: expect.any(Number) });
    });
  });

  describe('refresh token generation claim', () => {
    const service = createService();

    it.each([[-1], [1.5], ['0'], [null]])('rejects gen %p', (gen) => {
      expectInvalid(() => service.verifyRefreshToken(hmacJwt(REFRESH_HEADER, refreshClaims({ gen }), REFRESH_SECRET)), 'wrong-kind');
    });
  });

  describe('issuer and audience', () => {
    const configured = createService({ issuer: 'https://auth.example.com', audience: 'api' });

    it('writes and accepts the configured issuer and audience', () => {
      const { token } = configured.signAccessToken({ userId: 1 }, SESSION_ID);

      expect(decodePart(token, 1)).toMatchObject({ iss: 'https://auth.example.com', aud: 'api' });
      expect(configured.verifyAccessToken(token).iss).toBe('https://auth.example.com');
      const refresh = configured.signRefreshToken({ userId: 1, sessionId: SESSION_ID, generation: 0, expiresAt: new Date(Date.now() + 60_000) });
      expect(configured.verifyRefreshToken(refresh)).toMatchObject({ iss: 'https://auth.example.com', aud: 'api' });
    });

    it('rejects a wrong issuer', () => {
      const other = createService({ issuer: 'https://other.example.com', audience: 'api' });
      const { token } = other.signAccessToken({ userId: 1 }, SESSION_ID);

      expectInvalid(() => configured.verifyAccessToken(token), 'bad-claims');
    });

    it('rejects a wrong audience', () => {
      const other = createService({ issuer: 'https://auth.example.com', audience: 'admin-api' });
      const { token } = other.signAccessToken({ userId: 1 }, SESSION_ID);

      expectInvalid(() => configured.verifyAccessToken(token), 'bad-claims');
    });

    // Options doc: "`iss` claim written to and required from every token" (same for `aud`). A token signed with the
    // shared key by a service that does not set them (e.g. another app on the same secret) must not pass.
    it('rejects a correctly signed token without iss when an issuer is configured', () => {
      const noIssuer = createService({ audience: 'api' }).signAccessToken({ userId: 1 }, SESSION_ID).token;

      expectInvalid(() => configured.verifyAccessToken(noIssuer));
    });

    it('rejects a correctly signed token without aud when an audience is configured', () => {
      const noAudience = createService({ issuer: 'https://auth.example.com' }).signAccessToken({ userId: 1 }, SESSION_ID).token;

      expectInvalid(() => configured.verifyAccessToken(noAudience));
    });
  });

  describe('key rotation', () => {
    const OLD_SECRET = 'old-access-secret-0123456789abcdef01234';
    const NEW_SECRET = 'new-access-secret-0123456789abcdef01234';
    const before = createService({ accessToken: { secret: OLD_SECRET, keyId: 'k1' } });
    const after = createService({
      accessToken: { secret: NEW_SECRET, keyId: 'k2', additionalVerificationKeys: [{ keyId: 'k1', secret: OLD_SECRET }] },
    });

    it('writes the key id to the kid header', () => {
      const { token } = after.signAccessToken({ userId: 1 }, SESSION_ID);

      expect(decodePart(token, 0)).toMatchObject({ kid: 'k2', typ: 'at+jwt' });
    });

    it('still accepts tokens signed with the previous key', () => {
      const { token } = before.signAccessToken({ userId: 1, username: 'alice' }, SESSION_ID);

      expect(after.verifyAccessToken(token)).toMatchObject({ username: 'alice' });
    });

    it('accepts tokens signed with the current key', () => {
      const { token } = after.signAccessToken({ userId: 1 }, SESSION_ID);

      expect(after.verifyAccessToken(token).userId).toBe(1);
    });

    it('rejects an unknown key id', () => {
      const token = hmacJwt({ ...ACCESS_HEADER, kid: 'k3' }, accessClaims(), NEW_SECRET);

      expectInvalid(() => after.verifyAccessToken(token), 'unknown-key-id');
    });

    it('rejects a token whose kid names a key it was not signed with', () => {
      const token = hmacJwt({ ...ACCESS_HEADER, kid: 'k1' }, accessClaims(), NEW_SECRET);

      expectInvalid(() => after.verifyAccessToken(token), 'bad-signature');
    });

    it('rejects tokens of the previous key once it is no longer listed', () => {
      const retired = createService({ accessToken: { secret: NEW_SECRET, keyId: 'k2' } });
      const { token } = before.signAccessToken({ userId: 1 }, SESSION_ID);

      expectInvalid(() => retired.verifyAccessToken(token));
    });
  });

  describe('asymmetric algorithms', () => {
    let rsa: { privateKey: KeyObject; publicKey: KeyObject };
    let rsaRefresh: { privateKey: KeyObject; publicKey: KeyObject };

    beforeAll(() => {
      rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
      rsaRefresh = generateKeyPairSync('rsa', { modulusLength: 2048 });
    });

    it('signs and verifies RS256 with PEM keys (public key derived from the private key)', () => {
      const pem = (key: KeyObject): string => key.export({ type: 'pkcs8', format: 'pem' }) as string;
      const service = createService({
        algorithm: 'RS256',
        accessToken: { privateKey: pem(rsa.privateKey) },
        refreshToken: { privateKey: pem(rsaRefresh.privateKey) },
      });
      const { token } = service.signAccessToken({ userId: 1, username: 'alice' }, SESSION_ID);
      const refresh = service.signRefreshToken({ userId: 1, sessionId: SESSION_ID, generation: 0, expiresAt: new Date(Date.now() + 60_000) });

      expect(decodePart(token, 0)).toEqual({ alg: 'RS256', typ: 'at+jwt' });
      expect(service.verifyAccessToken(token).username).toBe('alice');
      expect(service.verifyRefreshToken(refresh).gen).toBe(0);
      expectInvalid(() => service.verifyAccessToken(refresh));
    });

    it.each([
      ['ES256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' })],
      ['EdDSA', () => generateKeyPairSync('ed25519')],
    ] as const)('signs and verifies %s with KeyObjects', (algorithm, generate) => {
      const access = generate();
      const refresh = generate();
      const service = createService({
        algorithm,
        accessToken: { privateKey: access.privateKey, publicKey: access.publicKey },
        refreshToken: { privateKey: refresh.privateKey },
      });
      const { token } = service.signAccessToken({ userId: 1, username: 'alice' }, SESSION_ID);
      const refreshToken = service.signRefreshToken({ userId: 1, sessionId: SESSION_ID, generation: 2, expiresAt: new Date(Date.now() + 60_000) });

      expect(decodePart(token, 0)).toMatchObject({ alg: algorithm, typ: 'at+jwt' });
      expect(service.verifyAccessToken(token).username).toBe('alice');
      expect(service.verifyRefreshToken(refreshToken).gen).toBe(2);
      expectInvalid(() => service.verifyRefreshToken(token));
    });

    it('rejects a token signed by another key pair', () => {
      const service = createService({
        algorithm: 'EdDSA',
        accessToken: { privateKey: generateKeyPairSync('ed25519').privateKey },
        refreshToken: { privateKey: generateKeyPairSync('ed25519').privateKey },
      });
      const impostor = createService({
        algorithm: 'EdDSA',
        accessToken: { privateKey: generateKeyPairSync('ed25519').privateKey },
        refreshToken: { privateKey: generateKeyPairSync('ed25519').privateKey },
      });

      expectInvalid(() => service.verifyAccessToken(impostor.signAccessToken({ userId: 1 }, SESSION_ID).token), 'bad-signature');
    });

    it('rejects algorithm confusion: an HS256 token keyed with the RS256 public key PEM', () => {
      const publicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;
      const service = createService({
        algorithm: 'RS256',
        accessToken: { privateKey: rsa.privateKey, publicKey: publicPem },
        refreshToken: { privateKey: rsaRefresh.privateKey },
      });
      const forged = hmacJwt({ alg: 'HS256', typ: 'at+jwt' }, accessClaims(), publicPem);

      expectInvalid(() => service.verifyAccessToken(forged));
    });

    it('refuses at startup a private key that does not fit the algorithm', () => {
      expect(() =>
        createService({
          algorithm: 'ES256',
          accessToken: { privateKey: rsa.privateKey },
          refreshToken: { privateKey: rsaRefresh.privateKey },
        }),
      ).toThrow(/accessToken\.privateKey\/publicKey does not fit algorithm ES256/);
    });
  });
});
