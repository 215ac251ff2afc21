import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, type INestApplication, UseGuards } from '@nestjs/common';
import {
  AccessTokenGuard,
  type AccessTokenClaims,
  type AccessTokenPayload,
  Authorize,
  CurrentUser,
  DualTokenAuthModule,
  OptionalAuth,
  Permissions,
  Roles,
} from 'nestjs-dual-token-auth';
import request from 'supertest';
import {
  ACCESS_SECRET,
  HTTP_ADAPTERS,
  type HttpAdapterFactory,
  InMemoryUserLookup,
  type ScenarioUser,
  authOptions,
  createScenarioApp,
  loginAs,
} from './harness/scenario-app.js';
import { nowSeconds, signHmacJwt } from './harness/forge-jwt.js';

// Roles, permissions, the predicate form and optional authentication, per route and under the global guard.

/** Users whose claims carry roles and permissions under configurable claim names. */
class ClaimsUserLookup extends InMemoryUserLookup {
  constructor(private readonly claimNames = { roles: 'roles', permissions: 'permissions' }) {
    super([
      { id: 1, username: 'alice', password: 'alice-password' },
      { id: 2, username: 'bob', password: 'bob-password' },
      { id: 3, username: 'carol', password: 'carol-password' },
    ]);
  }

  private readonly rights: Record<string, { roles: unknown; permissions: unknown }> = {
    alice: { roles: ['admin'], permissions: ['posts:write', 'posts:publish'] },
    bob: { roles: ['user', 'editor'], permissions: 'posts:write' }, // a space-separated string, like OAuth's scope
    carol: { roles: ['user'], permissions: [] },
  };

  override toAccessTokenClaims(user: ScenarioUser): AccessTokenClaims {
    const rights = this.rights[user.username];
    return { userId: user.id, username: user.username, [this.claimNames.roles]: rights.roles, [this.claimNames.permissions]: rights.permissions };
  }
}

@Controller('posts')
class PostsController {
  @Roles('admin', 'editor')
  @Get('edit')
  edit(@CurrentUser('username') username: string): { username: string } {
    return { username };
  }

  @Permissions('posts:write', 'posts:publish')
  @Get('publish')
  publish(): { published: true } {
    return { published: true };
  }

  @Authorize((user) => user.username === 'carol')
  @Get('carol-only')
  carolOnly(): { ok: true } {
    return { ok: true };
  }

  @Roles('user')
  @Authorize(async (user) => user.username !== 'bob')
  @Get('users-but-bob')
  usersButBob(): { ok: true } {
    return { ok: true };
  }
}

/** The same routes for a per-route registration: `@OptionalAuth()` needs the guard on the route there. */
@Controller('greeting')
class GreetingController {
  @UseGuards(AccessTokenGuard)
  @OptionalAuth()
  @Get()
  greet(@CurrentUser() user: AccessTokenPayload | undefined): { hello: string } {
    return { hello: user === undefined ? 'stranger' : String(user.username) };
  }
}

const FORBIDDEN = { statusCode: 403, message: 'You are not allowed to do this', error: 'Forbidden' };

describe.each(HTTP_ADAPTERS)('authorization on %s', (_name, createAdapter: HttpAdapterFactory) => {
  describe.each([
    ['per route', false],
    ['with the global guard', true],
  ])('%s', (_mode, globalGuard) => {
    let app: INestApplication;
    let tokens: Record<'alice' | 'bob' | 'carol', string>;

    beforeAll(async () => {
      app = await createScenarioApp(createAdapter, {
        imports: [DualTokenAuthModule.forRoot({ ...authOptions({ userLookup: new ClaimsUserLookup(), rateLimit: false }), globalGuard })],
        controllers: [PostsController, GreetingController],
      });
      tokens = {
        alice: (await loginAs(app, 'alice')).access_token,
        bob: (await loginAs(app, 'bob')).access_token,
        carol: (await loginAs(app, 'carol')).access_token,
      };
    });
    afterAll(() => app.close());

    const get = (path: string, token?: string) => {
      const call = request(app.getHttpServer()).get(path);
      return token ? call.set('Authorization', `Bearer ${token}`) : call;
    };

    it('@Roles lets in any of the roles and answers 403 to a valid token without one', async () => {
      expect((await get('/posts/edit', tokens.alice)).body).toEqual({ username: 'alice' });
      expect((await get('/posts/edit', tokens.bob)).body).toEqual({ username: 'bob' });
      const carol = await get('/posts/edit', tokens.carol);
      expect(carol.status).toBe(403);
      expect(carol.body).toEqual(FORBIDDEN);
    });

    it('a missing or invalid token is a 401, not a 403', async () => {
      const missing = await get('/posts/edit');
      expect(missing.status).toBe(401);
      expect(missing.headers['www-authenticate']).toBe('Bearer');
      const claims = { sub: '1', userId: 1, sid: 'x', token_type: 'access', roles: ['admin'], iat: nowSeconds(), exp: nowSeconds() + 60 };
      const forged = signHmacJwt({ alg: 'HS256', typ: 'at+jwt' }, claims, 'not-the-secret-0123456789abcdef0123456');
      expect((await get('/posts/edit', forged)).status).toBe(401);
    });

    it('@Permissions needs all of them (array or space-separated claim)', async () => {
      expect((await get('/posts/publish', tokens.alice)).status).toBe(200);
      const bob = await get('/posts/publish', tokens.bob); // has posts:write only
      expect(bob.status).toBe(403);
      expect(bob.body).toEqual(FORBIDDEN);
      expect((await get('/posts/publish', tokens.carol)).status).toBe(403);
    });

    it('@Authorize decides with a predicate, alone or together with @Roles', async () => {
      expect((await get('/posts/carol-only', tokens.carol)).status).toBe(200);
      expect((await get('/posts/carol-only', tokens.alice)).body).toEqual(FORBIDDEN);
      expect((await get('/posts/users-but-bob', tokens.carol)).status).toBe(200);
      expect((await get('/posts/users-but-bob', tokens.bob)).status).toBe(403); // has the role, fails the predicate
      expect((await get('/posts/users-but-bob', tokens.alice)).status).toBe(403); // no `user` role
    });

    it('@OptionalAuth: the user with a valid token, undefined without one, still 401 for a bad token', async () => {
      expect((await get('/greeting', tokens.bob)).body).toEqual({ hello: 'bob' });
      const anonymous = await get('/greeting');
      expect(anonymous.status).toBe(200);
      expect(anonymous.body).toEqual({ hello: 'stranger' });
      const invalid = await get('/greeting', `${tokens.bob.slice(0, -4)}AAAA`);
      expect(invalid.status).toBe(401);
      expect(invalid.headers['www-authenticate']).toContain('error="invalid_token"');
      const claims = { sub: '2', userId: 2, sid: 'x', token_type: 'access', iat: nowSeconds() - 120, exp: nowSeconds() - 60 };
      const expired = signHmacJwt({ alg: 'HS256', typ: 'at+jwt' }, claims, ACCESS_SECRET);
      expect((await get('/greeting', expired)).status).toBe(401);
    });
  });

  it('reads the claims named by rolesClaim and permissionsClaim', async () => {
    const app = await createScenarioApp(createAdapter, {
      imports: [
        DualTokenAuthModule.forRoot({
          ...authOptions({
            userLookup: new ClaimsUserLookup({ roles: 'groups', permissions: 'scope' }),
            rolesClaim: 'groups',
            permissionsClaim: 'scope',
            rateLimit: false,
          }),
        }),
      ],
      controllers: [PostsController],
    });
    try {
      const bob = (await loginAs(app, 'bob')).access_token;
      const carol = (await loginAs(app, 'carol')).access_token;
      const get = (path: string, token: string) => request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${token}`);
      expect((await get('/posts/edit', bob)).status).toBe(200);
      expect((await get('/posts/edit', carol)).status).toBe(403);
      expect((await get('/posts/publish', bob)).status).toBe(403);
    } finally {
      await app.close();
    }
  });
});
