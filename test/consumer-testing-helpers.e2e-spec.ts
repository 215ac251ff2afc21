import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, type INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AccessTokenGuard, CurrentUser, DualTokenAuthModule, RequireRecentLogin, Roles } from 'nestjs-dual-token-auth';
import { createTestSession, fakeAccessTokenGuard, signTestAccessToken, testAccessTokenPayload } from 'nestjs-dual-token-auth/testing';
import request from 'supertest';
import { GuardedController, HTTP_ADAPTERS, type HttpAdapterFactory, authOptions, createScenarioApp } from './harness/scenario-app.js';

// nestjs-dual-token-auth/testing as a consumer uses it: tokens without a login round trip, and a fake guard.

@Controller('admin')
class AdminController {
  @Roles('admin')
  @Get()
  dashboard(@CurrentUser('username') username: string): { admin: string } {
    return { admin: username };
  }

  @RequireRecentLogin('5m')
  @Get('danger')
  danger(): { ok: true } {
    return { ok: true };
  }
}

/** Protected by the global guard alone. */
@Controller('global')
class GloballyGuardedController {
  @Get('guarded')
  guarded(@CurrentUser('username') username: string): { username: string } {
    return { username };
  }
}

describe.each(HTTP_ADAPTERS)('testing helpers on %s', (_name, createAdapter: HttpAdapterFactory) => {
  describe('createTestSession and signTestAccessToken', () => {
    let app: INestApplication;

    beforeAll(async () => {
      app = await createScenarioApp(createAdapter, {
        imports: [DualTokenAuthModule.forRoot(authOptions({ rejectRevokedAccessTokens: true }))],
        controllers: [GuardedController, AdminController],
      });
    });
    afterAll(() => app.close());

    it('createTestSession gives a real session whose tokens pass the guard, roles and the revocation check', async () => {
      const pair = await createTestSession(app, { userId: 1, username: 'alice', roles: ['admin'] }, { userAgent: 'jest' });
      const bearer = `Bearer ${pair.access_token}`;
      expect((await request(app.getHttpServer()).get('/guarded').set('Authorization', bearer)).body).toEqual({ username: 'alice' });
      expect((await request(app.getHttpServer()).get('/admin').set('Authorization', bearer)).body).toEqual({ admin: 'alice' });
      const sessions = await request(app.getHttpServer()).get('/user/sessions').set('Authorization', bearer);
      expect(sessions.body).toEqual([expect.objectContaining({ userAgent: 'jest', current: true })]);
      expect((await request(app.getHttpServer()).post('/user/refresh').send({ refresh_token: pair.refresh_token })).status).toBe(201);
    });

    it('signTestAccessToken signs claims and auth_time for a session, synchronously', async () => {
      const { access_token } = await createTestSession(app, { userId: 2, username: 'bob' });
      const sessionId = JSON.parse(Buffer.from(access_token.split('.')[1], 'base64url').toString()).sid as string;
      const fresh = signTestAccessToken(app, { userId: 2, username: 'bob', roles: ['user'] }, { sessionId });
      const stale = signTestAccessToken(app, { userId: 2, username: 'bob' }, { sessionId, authTime: Math.floor(Date.now() / 1000) - 600 });
      const get = (path: string, token: string) => request(app.getHttpServer()).get(path).set('Authorization', `Bearer ${token}`);
      expect((await get('/admin/danger', fresh)).status).toBe(200);
      expect((await get('/admin', fresh)).status).toBe(403);
      const refused = await get('/admin/danger', stale);
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toBe('Bearer error="insufficient_user_authentication", max_age=300');
      // rejectRevokedAccessTokens is on here: a token for a session that does not exist is refused.
      expect((await get('/guarded', signTestAccessToken(app, { userId: 2 }))).status).toBe(401);
    });
  });

  describe.each([
    ['per route', false],
    ['global guard', true],
  ])('fakeAccessTokenGuard (%s)', (_mode, globalGuard) => {
    async function appWith(user: Parameters<typeof fakeAccessTokenGuard>[0]): Promise<INestApplication> {
      const moduleRef = await Test.createTestingModule({
        imports: [DualTokenAuthModule.forRoot({ ...authOptions(), globalGuard })],
        controllers: [globalGuard ? GloballyGuardedController : GuardedController],
      })
        // @UseGuards(AccessTokenGuard) instances are guards; the global guard is the module's provider.
        [globalGuard ? 'overrideProvider' : 'overrideGuard'](AccessTokenGuard)
        .useValue(fakeAccessTokenGuard(user))
        .compile();
      const adapter = createAdapter();
      const app = moduleRef.createNestApplication(adapter, { logger: ['error'] });
      await app.init();
      if (adapter instanceof FastifyAdapter) await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
      return app;
    }

    it('lets every request through as the given user, without a token', async () => {
      const app = await appWith({ userId: 7, username: 'zoe' });
      try {
        expect((await request(app.getHttpServer()).get(globalGuard ? '/global/guarded' : '/guarded')).body).toEqual({ username: 'zoe' });
      } finally {
        await app.close();
      }
    });

    it('null makes every guarded request a 401', async () => {
      const app = await appWith(null);
      try {
        expect((await request(app.getHttpServer()).get(globalGuard ? '/global/guarded' : '/guarded')).status).toBe(401);
      } finally {
        await app.close();
      }
    });
  });
});

describe('testAccessTokenPayload', () => {
  it('fills sub, sid, token_type and the times from a few claims', () => {
    const now = Math.floor(Date.now() / 1000);
    const payload = testAccessTokenPayload({ userId: 3, username: 'carol' }, { auth_time: now - 60 });
    expect(payload).toMatchObject({ userId: 3, username: 'carol', sub: '3', token_type: 'access', auth_time: now - 60 });
    expect(payload.exp).toBeGreaterThan(payload.iat);
  });
});
