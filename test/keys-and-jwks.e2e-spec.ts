import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { createPublicKey, generateKeyPairSync, randomBytes, type JsonWebKey, type KeyObject } from 'node:crypto';
import {
  DualTokenAuthModule,
  type DualTokenAuthOptions,
  type DualTokenAuthRegistrationOptions,
  InMemorySessionStore,
  type JwtAlgorithm,
  type TokenPairResponse,
} from 'nestjs-dual-token-auth';
import request from 'supertest';
import { signAsymmetricJwt, verifyJwsSignature } from './harness/forge-asymmetric-jwt.js';
import { decodeJwt, nowSeconds, signHmacJwt } from './harness/forge-jwt.js';
import {
  ACCESS_SECRET,
  GuardedController,
  HTTP_ADAPTERS,
  type HttpAdapterFactory,
  InMemoryUserLookup,
  authOptions,
  createScenarioApp,
  loginAs,
} from './harness/scenario-app.js';

const TOKEN_INVALID = { statusCode: 401, message: 'Token is invalid or expired, please log in again', error: 'Unauthorized' };
const JWKS_PATH = '/.well-known/jwks.json';

type KeyPair = { privateKey: KeyObject; publicKey: KeyObject };

/** The asymmetric algorithms under test, with a key generator each. */
const ALGORITHMS: Array<[JwtAlgorithm, () => KeyPair]> = [
  ['RS256', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
  ['ES256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' })],
  ['EdDSA', () => generateKeyPairSync('ed25519')],
];

/** What a JWK of each key type publishes; never a private member (d, p, q, dp, dq, qi). */
const PUBLIC_JWK_SHAPE: Record<string, Record<string, unknown>> = {
  RS256: { kty: 'RSA', n: expect.any(String), e: 'AQAB' },
  ES256: { kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String) },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', x: expect.any(String) },
};

const pemOf = (key: KeyObject): string => key.export({ type: 'spki', format: 'pem' }) as string;
const privatePemOf = (key: KeyObject): string => key.export({ type: 'pkcs8', format: 'pem' }) as string;

async function startApp(
  createAdapter: HttpAdapterFactory,
  options: DualTokenAuthOptions,
  registration: DualTokenAuthRegistrationOptions = {},
): Promise<INestApplication> {
  return createScenarioApp(createAdapter, {
    imports: [DualTokenAuthModule.forRoot({ ...options, ...registration })],
    controllers: [GuardedController],
  });
}

const guarded = (app: INestApplication, token: string) =>
  request(app.getHttpServer()).get('/guarded').set('authorization', `Bearer ${token}`);

describe.each(HTTP_ADAPTERS)('asymmetric keys and JWKS on %s', (_platform, createAdapter) => {
  describe.each(ALGORITHMS)('%s', (algorithm, generateKeys) => {
    const accessKeys = generateKeys();
    const refreshKeys = generateKeys();
    let app: INestApplication;
    let tokens: TokenPairResponse;

    beforeAll(async () => {
      app = await startApp(
        createAdapter,
        authOptions({
          algorithm,
          // RS256 gets PEM strings (keys from environment variables), the others KeyObjects.
          accessToken: { privateKey: algorithm === 'RS256' ? privatePemOf(accessKeys.privateKey) : accessKeys.privateKey, keyId: 'k1' },
          refreshToken: { privateKey: algorithm === 'RS256' ? privatePemOf(refreshKeys.privateKey) : refreshKeys.privateKey, keyId: 'r1' },
        }),
        { jwksPath: '.well-known/jwks.json' },
      );
      tokens = await loginAs(app, 'alice');
    });

    afterAll(async () => {
      await app?.close();
    });

    it(`login issues ${algorithm} tokens with their key ids, the guarded route accepts them and refresh rotates`, async () => {
      expect(decodeJwt(tokens.access_token).header).toEqual({ alg: algorithm, typ: 'at+jwt', kid: 'k1' });
      expect(decodeJwt(tokens.refresh_token).header).toEqual({ alg: algorithm, typ: 'rt+jwt', kid: 'r1' });
      await guarded(app, tokens.access_token).expect(200, { username: 'alice' });
      await guarded(app, tokens.refresh_token).expect(401);

      const refreshed = await request(app.getHttpServer()).post('/user/refresh').send({ refresh_token: tokens.refresh_token }).expect(201);
      await guarded(app, refreshed.body.access_token).expect(200, { username: 'alice' });
    });

    it('the JWKS endpoint publishes the access-token public key with kid, alg and use, and nothing private', async () => {
      const response = await request(app.getHttpServer()).get(JWKS_PATH).expect(200);

      expect(response.headers['content-type']).toMatch(/application\/json/);
      expect(response.body).toEqual({ keys: [{ ...PUBLIC_JWK_SHAPE[algorithm], kid: 'k1', alg: algorithm, use: 'sig' }] });
      for (const privateMember of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(response.body.keys[0]).not.toHaveProperty(privateMember);
      // The published key is the access key, not the refresh key.
      const published = createPublicKey({ key: response.body.keys[0] as JsonWebKey, format: 'jwk' });
      expect(pemOf(published)).toBe(pemOf(accessKeys.publicKey));
    });

    it('another service holding only the JWKS can verify an access token; a tampered token fails that check', async () => {
      const { body } = await request(app.getHttpServer()).get(JWKS_PATH).expect(200);
      const { header } = decodeJwt(tokens.access_token);
      const jwk = (body.keys as Array<JsonWebKey & { kid: string; alg: string }>).find((key) => key.kid === header.kid)!;
      expect(jwk.alg).toBe(header.alg);
      const publicKey = createPublicKey({ key: jwk, format: 'jwk' });

      expect(verifyJwsSignature(tokens.access_token, algorithm, publicKey)).toBe(true);
      const [h, , s] = tokens.access_token.split('.');
      const forgedPayload = Buffer.from(JSON.stringify({ ...decodeJwt(tokens.access_token).payload, username: 'admin' })).toString('base64url');
      expect(verifyJwsSignature(`${h}.${forgedPayload}.${s}`, algorithm, publicKey)).toBe(false);
      // The refresh key is not published, so refresh tokens cannot be checked (or minted) with it.
      expect(verifyJwsSignature(tokens.refresh_token, algorithm, publicKey)).toBe(false);
    });

    it('algorithm confusion: an HS256 token keyed with the public key PEM (or the JWK) is refused', async () => {
      const { payload } = decodeJwt(tokens.access_token);
      const claims = { ...payload, iat: nowSeconds(), exp: nowSeconds() + 600 };
      const publicPem = pemOf(accessKeys.publicKey);
      const { body } = await request(app.getHttpServer()).get(JWKS_PATH).expect(200);
      for (const hmacKey of [publicPem, publicPem.trim(), JSON.stringify(body.keys[0])]) {
        for (const header of [
          { alg: 'HS256', typ: 'at+jwt', kid: 'k1' },
          { alg: 'HS256', typ: 'at+jwt' },
        ]) {
          const response = await guarded(app, signHmacJwt(header, claims, hmacKey));
          expect(response.status).toBe(401);
          expect(response.body).toEqual(TOKEN_INVALID);
        }
      }
      // A token signed by someone else's key of the right type is refused too.
      const attacker = generateKeys();
      await guarded(app, signAsymmetricJwt({ alg: algorithm, typ: 'at+jwt', kid: 'k1' }, claims, attacker.privateKey)).expect(401);
      // While the same claims signed with the real key are accepted (the forgeries above failed on their keys only).
      await guarded(app, signAsymmetricJwt({ alg: algorithm, typ: 'at+jwt', kid: 'k1' }, claims, accessKeys.privateKey)).expect(200);
    });
  });

  describe('key rotation (RS256): the new app signs with k2 and still accepts k1', () => {
    const k1 = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const k2 = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const r1 = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const r2 = generateKeyPairSync('rsa', { modulusLength: 2048 });
    // Both deployments share users and sessions, as an old and a new release behind one load balancer would.
    const sessionStore = new InMemorySessionStore();
    const userLookup = new InMemoryUserLookup();
    let oldApp: INestApplication;
    let newApp: INestApplication;
    let oldTokens: TokenPairResponse;

    beforeAll(async () => {
      oldApp = await startApp(
        createAdapter,
        authOptions({
          algorithm: 'RS256',
          userLookup,
          sessionStore,
          accessToken: { privateKey: k1.privateKey, keyId: 'k1' },
          refreshToken: { privateKey: r1.privateKey, keyId: 'r1' },
        }),
      );
      newApp = await startApp(
        createAdapter,
        authOptions({
          algorithm: 'RS256',
          userLookup,
          sessionStore,
          // The old access key as PEM (as read from an environment variable), the old refresh key as a KeyObject.
          accessToken: { privateKey: k2.privateKey, keyId: 'k2', additionalVerificationKeys: [{ keyId: 'k1', publicKey: pemOf(k1.publicKey) }] },
          refreshToken: { privateKey: r2.privateKey, keyId: 'r2', additionalVerificationKeys: [{ keyId: 'r1', publicKey: r1.publicKey }] },
        }),
        { jwksPath: '.well-known/jwks.json' },
      );
      oldTokens = await loginAs(oldApp, 'alice');
    });

    afterAll(async () => {
      await oldApp?.close();
      await newApp?.close();
    });

    it('access tokens issued by the old app (kid k1) are still accepted; new tokens carry kid k2', async () => {
      expect(decodeJwt(oldTokens.access_token).header.kid).toBe('k1');
      await guarded(newApp, oldTokens.access_token).expect(200, { username: 'alice' });

      const fresh = await loginAs(newApp, 'bob');
      expect(decodeJwt(fresh.access_token).header).toEqual({ alg: 'RS256', typ: 'at+jwt', kid: 'k2' });
      await guarded(newApp, fresh.access_token).expect(200, { username: 'bob' });
    });

    it('a refresh token of the old app (kid r1) rotates on the new app into k2/r2 tokens', async () => {
      const refreshed = await request(newApp.getHttpServer()).post('/user/refresh').send({ refresh_token: oldTokens.refresh_token }).expect(201);
      expect(decodeJwt(refreshed.body.access_token).header.kid).toBe('k2');
      expect(decodeJwt(refreshed.body.refresh_token).header.kid).toBe('r2');
      await guarded(newApp, refreshed.body.access_token).expect(200, { username: 'alice' });
    });

    it('tokens signed before key ids existed (no kid) still verify with the old key', async () => {
      const { header, payload } = decodeJwt(oldTokens.access_token);
      const { kid: _dropped, ...withoutKid } = header;
      await guarded(newApp, signAsymmetricJwt(withoutKid, payload, k1.privateKey)).expect(200);
    });

    it('tokens with an unknown kid, a kid that does not match the key, or no kid and a foreign key are refused', async () => {
      const { payload } = decodeJwt(oldTokens.access_token);
      const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
      for (const token of [
        signAsymmetricJwt({ alg: 'RS256', typ: 'at+jwt', kid: 'k3' }, payload, stranger.privateKey),
        signAsymmetricJwt({ alg: 'RS256', typ: 'at+jwt', kid: 'k3' }, payload, k2.privateKey),
        signAsymmetricJwt({ alg: 'RS256', typ: 'at+jwt', kid: 'k1' }, payload, stranger.privateKey),
        signAsymmetricJwt({ alg: 'RS256', typ: 'at+jwt', kid: 'k1' }, payload, k2.privateKey),
        signAsymmetricJwt({ alg: 'RS256', typ: 'at+jwt' }, payload, stranger.privateKey),
        // The refresh key's id with the refresh key: wrong kind of key for an access token.
        signAsymmetricJwt({ alg: 'RS256', typ: 'at+jwt', kid: 'r1' }, payload, r1.privateKey),
      ]) {
        const response = await guarded(newApp, token);
        expect(response.status).toBe(401);
        expect(response.body).toEqual(TOKEN_INVALID);
      }
    });

    it('the new app’s JWKS lists the new key and the old one, so resource servers can verify both', async () => {
      const { body } = await request(newApp.getHttpServer()).get(JWKS_PATH).expect(200);
      expect((body.keys as Array<{ kid: string }>).map((key) => key.kid)).toEqual(['k2', 'k1']);
      const byKid = new Map((body.keys as Array<JsonWebKey & { kid: string }>).map((key) => [key.kid, createPublicKey({ key, format: 'jwk' })]));
      expect(verifyJwsSignature(oldTokens.access_token, 'RS256', byKid.get('k1')!)).toBe(true);
      expect(body.keys.every((key: Record<string, unknown>) => key.alg === 'RS256' && key.use === 'sig' && !('d' in key))).toBe(true);
    });

    it('JWKS also works when the public keys are given as KeyObjects (the options allow "PEM, or KeyObject")', async () => {
      const app = await startApp(
        createAdapter,
        authOptions({
          algorithm: 'RS256',
          accessToken: {
            privateKey: k2.privateKey,
            publicKey: k2.publicKey,
            keyId: 'k2',
            additionalVerificationKeys: [{ keyId: 'k1', publicKey: k1.publicKey }],
          },
          refreshToken: { privateKey: r2.privateKey },
        }),
        { jwksPath: '.well-known/jwks.json' },
      );
      try {
        const { body } = await request(app.getHttpServer()).get(JWKS_PATH).expect(200);
        expect((body.keys as Array<{ kid: string }>).map((key) => key.kid)).toEqual(['k2', 'k1']);
        const k1Jwk = (body.keys as Array<JsonWebKey & { kid: string }>).find((key) => key.kid === 'k1')!;
        expect(pemOf(createPublicKey({ key: k1Jwk, format: 'jwk' }))).toBe(pemOf(k1.publicKey));
        await guarded(app, oldTokens.access_token).expect(200);
      } finally {
        await app.close();
      }
    });
  });

  describe('startup refuses unsafe or impossible key settings, naming the problem', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });

    it.each<[string, () => DualTokenAuthOptions, DualTokenAuthRegistrationOptions, RegExp]>([
      [
        'jwksPath with HS256 (a shared secret must never be published)',
        () => authOptions(),
        { jwksPath: '.well-known/jwks.json' },
        /jwksPath needs an asymmetric access-token algorithm; HS256 uses a shared secret/,
      ],
      [
        'production mode with one secret shared by both token kinds',
        () => authOptions({ production: true, refreshToken: { secret: ACCESS_SECRET } }),
        {},
        /accessToken and refreshToken use the same secret/,
      ],
      [
        'production mode with a 16-byte HMAC secret',
        () => authOptions({ production: true, accessToken: { secret: randomBytes(16) } }),
        {},
        /accessToken\.secret is 16 bytes; HS256 needs at least 32/,
      ],
      [
        'a PEM key used as an HMAC secret',
        () => authOptions({ accessToken: { secret: pemOf(rsa.publicKey) } }),
        {},
        /accessToken\.secret looks like a PEM key, but HS256 is an HMAC algorithm/,
      ],
      [
        'an RSA key with algorithm ES256',
        () => authOptions({ algorithm: 'ES256', accessToken: { privateKey: rsa.privateKey }, refreshToken: { privateKey: ec.privateKey } }),
        {},
        /accessToken\.privateKey\/publicKey does not fit algorithm ES256/,
      ],
    ])('%s', async (_case, options, registration, message) => {
      const starting = startApp(createAdapter, options(), registration);
      await expect(starting).rejects.toThrow(message);
      await expect(starting).rejects.toMatchObject({ name: 'InvalidAuthConfigurationError' });
    });

    it('the same settings done right start (control): production with two long secrets, ES256 with EC keys', async () => {
      const production = await startApp(createAdapter, authOptions({ production: true }));
      await guarded(production, (await loginAs(production, 'alice')).access_token).expect(200);
      await production.close();
      const ecApp = await startApp(
        createAdapter,
        authOptions({
          algorithm: 'ES256',
          accessToken: { privateKey: ec.privateKey },
          refreshToken: { privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey },
        }),
        { jwksPath: '.well-known/jwks.json' },
      );
      await guarded(ecApp, (await loginAs(ecApp, 'alice')).access_token).expect(200);
      await ecApp.close();
    });
  });
});
