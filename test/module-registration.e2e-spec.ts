import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Injectable, type INestApplication, Module, Req, UseGuards } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import {
  type AccessTokenPayload,
  AccessTokenGuard,
  CurrentUser,
  DualTokenAuthModule,
  type DualTokenAuthOptions,
  DualTokenService,
  Public,
  SessionService,
} from 'nestjs-dual-token-auth';
import request from 'supertest';
import {
  ACCESS_SECRET,
  HTTP_ADAPTERS,
  type HttpAdapterFactory,
  InMemoryUserLookup,
  REFRESH_SECRET,
  authOptions,
  createScenarioApp,
  loginAs,
} from './harness/scenario-app.js';

@Controller('profile')
class ProfileController {
  @UseGuards(AccessTokenGuard)
  @Get()
  me(@CurrentUser() user: AccessTokenPayload): AccessTokenPayload {
    return user;
  }

  @UseGuards(AccessTokenGuard)
  @Get('username')
  username(@CurrentUser('username') username: string): { username: string } {
    return { username };
  }
}

/** Reports what the request object handed to handlers looks like (Express's request or Fastify's). */
@Controller('request-shape')
class RequestShapeController {
  @Get('anonymous')
  anonymous(@Req() request: { user?: unknown }): { ownUserProperty: boolean; user: unknown } {
    return { ownUserProperty: Object.prototype.hasOwnProperty.call(request, 'user'), user: request.user ?? null };
  }

  @UseGuards(AccessTokenGuard)
  @Get('guarded')
  guarded(@Req() request: { user?: AccessTokenPayload }): { username: unknown } {
    return { username: request.user?.username };
  }
}

/** No decorators of the library: protected only by the global guard. */
@Controller('mixed')
class MixedController {
  @Get('private')
  private(@CurrentUser('username') username: string): { username: string } {
    return { username };
  }

  @Public()
  @Get('public')
  public(): { public: boolean } {
    return { public: true };
  }
}

@Public()
@Controller('health')
class HealthController {
  @Get()
  health(): { status: string } {
    return { status: 'ok' };
  }
}

/** Lives in a feature module that does not import DualTokenAuthModule. */
@Controller('feature')
class FeatureController {
  @UseGuards(AccessTokenGuard)
  @Get()
  feature(@CurrentUser('username') username: string): { username: string } {
    return { username };
  }
}

@Module({ controllers: [FeatureController] })
class FeatureModule {}

/** An options class for `useClass`/`useExisting`; counts calls so a test can see which instance was used. */
@Injectable()
class AuthOptionsFactory {
  calls = 0;

  createDualTokenAuthOptions(): DualTokenAuthOptions {
    this.calls += 1;
    return authOptions({ accessToken: { secret: ACCESS_SECRET, expiresIn: '10m' } });
  }
}

@Module({ providers: [AuthOptionsFactory], exports: [AuthOptionsFactory] })
class AuthOptionsModule {}

const NOT_LOGGED_IN = { statusCode: 401, message: 'Not logged in', error: 'Unauthorized' };
const TOKEN_INVALID = { statusCode: 401, message: 'Token is invalid or expired, please log in again', error: 'Unauthorized' };
const INVALID_CREDENTIALS = { statusCode: 401, message: 'Invalid username or password', error: 'Unauthorized' };

const bearer = (token: string): string => `Bearer ${token}`;

describe.each(HTTP_ADAPTERS)('DualTokenAuthModule registration on %s', (platform, createAdapter) => {
  describe('forRoot with a per-route guard', () => {
    let app: INestApplication;

    beforeAll(async () => {
      app = await createScenarioApp(createAdapter, {
        imports: [DualTokenAuthModule.forRoot(authOptions())],
        controllers: [ProfileController],
      });
    });

    afterAll(async () => {
      await app.close();
    });

    it('logs in with 201 and a Bearer token pair', async () => {
      const response = await request(app.getHttpServer())
        .post('/user/login')
        .send({ username: 'alice', password: 'alice-password' })
        .expect(201);

      expect(response.body).toEqual({
        access_token: expect.any(String),
        refresh_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 1800,
        refresh_expires_in: 7 * 86_400,
      });
    });

    it('answers a guarded route without a token with 401 Not logged in', async () => {
      const response = await request(app.getHttpServer()).get('/profile').expect(401);

      expect(response.body).toEqual(NOT_LOGGED_IN);
    });

    it('answers a guarded route with a garbage token with 401 token invalid', async () => {
      const response = await request(app.getHttpServer()).get('/profile').set('Authorization', bearer('x.y.z')).expect(401);

      expect(response.body).toEqual(TOKEN_INVALID);
    });

    it('lets the access token through and gives @CurrentUser() the payload', async () => {
      const { access_token } = await loginAs(app);

      const response = await request(app.getHttpServer()).get('/profile').set('Authorization', bearer(access_token)).expect(200);

      expect(response.body).toMatchObject({ userId: 1, username: 'alice', sub: '1', token_type: 'access' });
      expect(response.body.sid).toEqual(expect.any(String));
    });

    it('gives @CurrentUser(\'username\') the user name', async () => {
      const { access_token } = await loginAs(app, 'bob');

      const response = await request(app.getHttpServer())
        .get('/profile/username')
        .set('Authorization', `bearer ${access_token}`)
        .expect(200);

      expect(response.body).toEqual({ username: 'bob' });
    });

    it('exchanges the refresh token for a new pair', async () => {
      const first = await loginAs(app);

      const response = await request(app.getHttpServer())
        .post('/user/refresh')
        .send({ refresh_token: first.refresh_token })
        .expect(201);

      expect(response.body).toMatchObject({ token_type: 'Bearer', expires_in: 1800 });
      expect(response.body.refresh_token).not.toBe(first.refresh_token);
      await request(app.getHttpServer()).get('/profile').set('Authorization', bearer(response.body.access_token)).expect(200);
    });

    it('refuses a refresh token used as an access token', async () => {
      const { refresh_token } = await loginAs(app);

      const response = await request(app.getHttpServer()).get('/profile').set('Authorization', bearer(refresh_token)).expect(401);

      expect(response.body).toEqual(TOKEN_INVALID);
    });

    it('refuses an access token used as a refresh token', async () => {
      const { access_token } = await loginAs(app);

      const response = await request(app.getHttpServer()).post('/user/refresh').send({ refresh_token: access_token }).expect(401);

      expect(response.body).toEqual(TOKEN_INVALID);
    });

    it('answers a wrong password and an unknown user with the same 401', async () => {
      const wrongPassword = await request(app.getHttpServer())
        .post('/user/login')
        .send({ username: 'alice', password: 'wrong' })
        .expect(401);
      const unknownUser = await request(app.getHttpServer())
        .post('/user/login')
        .send({ username: 'mallory', password: 'alice-password' })
        .expect(401);

      expect(wrongPassword.body).toEqual(INVALID_CREDENTIALS);
      expect(unknownUser.body).toEqual(wrongPassword.body);
    });

    it('answers a login without a password with 400, not 500', async () => {
      const response = await request(app.getHttpServer()).post('/user/login').send({ username: 'alice' }).expect(400);

      expect(response.body.statusCode).toBe(400);
    });
  });

  describe('custom messages', () => {
    let app: INestApplication;

    beforeAll(async () => {
      app = await createScenarioApp(createAdapter, {
        imports: [
          DualTokenAuthModule.forRoot(
            authOptions({
              messages: { notLoggedIn: '未登录', tokenInvalid: '令牌无效或已过期，请重新登录', invalidCredentials: '用户名或密码错误' },
            }),
          ),
        ],
        controllers: [ProfileController],
      });
    });

    afterAll(async () => {
      await app.close();
    });

    it('uses them in every 401', async () => {
      const server = app.getHttpServer();

      expect((await request(server).get('/profile').expect(401)).body).toEqual({ ...NOT_LOGGED_IN, message: '未登录' });
      expect((await request(server).get('/profile').set('Authorization', bearer('x.y.z')).expect(401)).body).toEqual({
        ...TOKEN_INVALID,
        message: '令牌无效或已过期，请重新登录',
      });
      expect((await request(server).post('/user/refresh').send({ refresh_token: 'x.y.z' }).expect(401)).body.message).toBe(
        '令牌无效或已过期，请重新登录',
      );
      expect(
        (await request(server).post('/user/login').send({ username: 'alice', password: 'wrong' }).expect(401)).body,
      ).toEqual({ ...INVALID_CREDENTIALS, message: '用户名或密码错误' });
    });
  });

  describe('forRootAsync', () => {
    let app: INestApplication | undefined;

    afterEach(async () => {
      await app?.close();
      app = undefined;
    });

    it('takes its options from a useFactory that injects ConfigService', async () => {
      app = await createScenarioApp(createAdapter, {
        imports: [
          DualTokenAuthModule.forRootAsync({
            imports: [
              ConfigModule.forRoot({
                ignoreEnvFile: true,
                load: [
                  () => ({
                    auth: { accessSecret: ACCESS_SECRET, refreshSecret: REFRESH_SECRET, accessExpiresIn: '15m', notLoggedIn: 'Sign in first' },
                  }),
                ],
              }),
            ],
            inject: [ConfigService],
            useFactory: (config: ConfigService): DualTokenAuthOptions => ({
              accessToken: { secret: config.getOrThrow<string>('auth.accessSecret'), expiresIn: config.get('auth.accessExpiresIn') },
              refreshToken: { secret: config.getOrThrow<string>('auth.refreshSecret') },
              userLookup: new InMemoryUserLookup(),
              messages: { notLoggedIn: config.get('auth.notLoggedIn') },
            }),
          }),
        ],
        controllers: [ProfileController],
      });

      const pair = await loginAs(app);
      expect(pair.expires_in).toBe(15 * 60);
      await request(app.getHttpServer()).get('/profile').set('Authorization', bearer(pair.access_token)).expect(200);
      expect((await request(app.getHttpServer()).get('/profile').expect(401)).body.message).toBe('Sign in first');
    });

    it('takes its options from a useClass options factory', async () => {
      app = await createScenarioApp(createAdapter, {
        imports: [DualTokenAuthModule.forRootAsync({ useClass: AuthOptionsFactory })],
        controllers: [ProfileController],
      });

      const pair = await loginAs(app);
      expect(pair.expires_in).toBe(10 * 60);
      await request(app.getHttpServer()).get('/profile').set('Authorization', bearer(pair.access_token)).expect(200);
    });

    it('takes its options from an existing options factory provided by an imported module', async () => {
      app = await createScenarioApp(createAdapter, {
        imports: [DualTokenAuthModule.forRootAsync({ imports: [AuthOptionsModule], useExisting: AuthOptionsFactory })],
        controllers: [ProfileController],
      });

      const pair = await loginAs(app);
      expect(pair.expires_in).toBe(10 * 60);
      expect(app.get(AuthOptionsFactory, { strict: false }).calls).toBe(1);
      await request(app.getHttpServer()).get('/profile').set('Authorization', bearer(pair.access_token)).expect(200);
    });

    it('with isGlobal, lets a feature module that does not import it use the guard', async () => {
      app = await createScenarioApp(createAdapter, {
        imports: [DualTokenAuthModule.forRootAsync({ isGlobal: true, useFactory: () => authOptions() }), FeatureModule],
      });

      await request(app.getHttpServer()).get('/feature').expect(401);
      const { access_token } = await loginAs(app, 'bob');
      const response = await request(app.getHttpServer()).get('/feature').set('Authorization', bearer(access_token)).expect(200);
      expect(response.body).toEqual({ username: 'bob' });
    });

    it('without isGlobal, a feature module that does not import it cannot use the guard', async () => {
      await expect(
        createScenarioApp(createAdapter, {
          imports: [DualTokenAuthModule.forRootAsync({ useFactory: () => authOptions() }), FeatureModule],
        }),
      ).rejects.toThrow(/AccessTokenGuard/);
    });
  });

  describe('registration options', () => {
    let app: INestApplication | undefined;

    afterEach(async () => {
      await app?.close();
      app = undefined;
    });

    it('routePrefix moves the routes', async () => {
      app = await createScenarioApp(createAdapter, {
        imports: [DualTokenAuthModule.forRoot({ ...authOptions(), routePrefix: 'auth' })],
      });
      const server = app.getHttpServer();

      await request(server).post('/user/login').send({ username: 'alice', password: 'alice-password' }).expect(404);
      const pair = await loginAs(app, 'alice', 'alice-password', 'auth');
      await request(server).post('/auth/refresh').send({ refresh_token: pair.refresh_token }).expect(201);
    });

    it('names the controllers in the startup log (DualTokenAuthController {/user}), not a generated hash', async () => {
      const lines: string[] = [];
      const record = (message: unknown) => void lines.push(String(message));
      app = await createScenarioApp(
        createAdapter,
        { imports: [DualTokenAuthModule.forRoot({ ...authOptions(), jwksPath: false })] },
        { log: record, error: record, warn: record },
      );

      expect(lines).toContain('DualTokenAuthController {/user}:');
      expect(lines).toContain('Mapped {/user/login, POST} route');
    });

    it('two registrations that differ only in routePrefix both get their routes', async () => {
      const options = authOptions();
      @Module({ imports: [DualTokenAuthModule.forRoot({ ...options, routePrefix: 'staff' })] })
      class StaffModule {}
      @Module({ imports: [DualTokenAuthModule.forRoot({ ...options, routePrefix: 'customers' })] })
      class CustomersModule {}
      app = await createScenarioApp(createAdapter, { imports: [StaffModule, CustomersModule] });

      await loginAs(app, 'alice', 'alice-password', 'staff');
      await loginAs(app, 'alice', 'alice-password', 'customers');
    });

    it('registerController: false registers no routes but keeps the services injectable', async () => {
      app = await createScenarioApp(createAdapter, {
        imports: [DualTokenAuthModule.forRoot({ ...authOptions(), registerController: false })],
        controllers: [ProfileController],
      });
      const server = app.getHttpServer();

      await request(server).post('/user/login').send({ username: 'alice', password: 'alice-password' }).expect(404);
      await request(server).post('/user/refresh').send({ refresh_token: 'x' }).expect(404);

      const pair = await app.get(SessionService).login('alice', 'alice-password');
      expect(pair).not.toBeNull();
      expect(app.get(DualTokenService).verifyAccessToken(pair!.access_token).username).toBe('alice');
      await request(server).get('/profile').set('Authorization', bearer(pair!.access_token)).expect(200);
    });
  });

  describe('reserveRequestUserProperty', () => {
    let app: INestApplication | undefined;

    afterEach(async () => {
      await app?.close();
      app = undefined;
    });

    const startWith = async (reserveRequestUserProperty?: boolean) => {
      app = await createScenarioApp(createAdapter, {
        imports: [DualTokenAuthModule.forRoot({ ...authOptions(), ...(reserveRequestUserProperty === undefined ? {} : { reserveRequestUserProperty }) })],
        controllers: [RequestShapeController],
      });
      return app;
    };

    it(`gives every request an own, empty user property by default (${platform === 'express' ? 'set before Express runs' : 'a Fastify request decorator'}), and the guard fills it`, async () => {
      const started = await startWith();
      const anonymous = await request(started.getHttpServer()).get('/request-shape/anonymous').expect(200);

      expect(anonymous.body).toEqual({ ownUserProperty: true, user: null });
      const { access_token } = await loginAs(started, 'bob');
      const guarded = await request(started.getHttpServer()).get('/request-shape/guarded').set('Authorization', bearer(access_token)).expect(200);
      expect(guarded.body).toEqual({ username: 'bob' });
    });

    it('when false, adds no user property to requests the guard did not accept', async () => {
      const started = await startWith(false);
      const anonymous = await request(started.getHttpServer()).get('/request-shape/anonymous').expect(200);

      expect(anonymous.body).toEqual({ ownUserProperty: false, user: null });
      const { access_token } = await loginAs(started, 'bob');
      const guarded = await request(started.getHttpServer()).get('/request-shape/guarded').set('Authorization', bearer(access_token)).expect(200);
      expect(guarded.body).toEqual({ username: 'bob' });
    });
  });

  describe('globalGuard: true', () => {
    let app: INestApplication;

    beforeAll(async () => {
      app = await createGlobalGuardApp(createAdapter);
    });

    afterAll(async () => {
      await app.close();
    });

    it('protects a route without any guard decorator', async () => {
      expect((await request(app.getHttpServer()).get('/mixed/private').expect(401)).body).toEqual(NOT_LOGGED_IN);
      const { access_token } = await loginAs(app);

      const response = await request(app.getHttpServer()).get('/mixed/private').set('Authorization', bearer(access_token)).expect(200);

      expect(response.body).toEqual({ username: 'alice' });
    });

    it('lets @Public() on a handler opt out', async () => {
      expect((await request(app.getHttpServer()).get('/mixed/public').expect(200)).body).toEqual({ public: true });
    });

    it('lets @Public() on a controller opt out', async () => {
      expect((await request(app.getHttpServer()).get('/health').expect(200)).body).toEqual({ status: 'ok' });
    });

    it('keeps login and refresh reachable without a token', async () => {
      const pair = await loginAs(app);

      await request(app.getHttpServer()).post('/user/refresh').send({ refresh_token: pair.refresh_token }).expect(201);
    });

    it('still works on a route that also has @UseGuards(AccessTokenGuard)', async () => {
      const { access_token } = await loginAs(app, 'bob');

      await request(app.getHttpServer()).get('/profile').expect(401);
      expect(
        (await request(app.getHttpServer()).get('/profile/username').set('Authorization', bearer(access_token)).expect(200)).body,
      ).toEqual({ username: 'bob' });
    });
  });

  describe('allowRefreshTokenInQuery', () => {
    let app: INestApplication | undefined;

    afterEach(async () => {
      await app?.close();
      app = undefined;
    });

    it('is off by default: GET /user/refresh is 404', async () => {
      app = await createScenarioApp(createAdapter, { imports: [DualTokenAuthModule.forRoot(authOptions())] });
      const { refresh_token } = await loginAs(app);

      await request(app.getHttpServer()).get('/user/refresh').query({ refresh_token }).expect(404);
    });

    it('when on, GET /user/refresh?refresh_token= returns a new pair', async () => {
      app = await createScenarioApp(createAdapter, {
        imports: [DualTokenAuthModule.forRoot({ ...authOptions(), allowRefreshTokenInQuery: true })],
        controllers: [ProfileController],
      });
      const { refresh_token } = await loginAs(app);

      const response = await request(app.getHttpServer()).get('/user/refresh').query({ refresh_token }).expect(200);

      expect(response.body).toMatchObject({ token_type: 'Bearer', expires_in: 1800 });
      await request(app.getHttpServer()).get('/profile').set('Authorization', bearer(response.body.access_token)).expect(200);
      expect((await request(app.getHttpServer()).get('/user/refresh').expect(401)).body).toEqual(TOKEN_INVALID);
      await request(app.getHttpServer()).post('/user/refresh').send({ refresh_token: response.body.refresh_token }).expect(201);
    });
  });

  describe('startup errors', () => {
    it('refuses to start without accessToken.secret, naming it', async () => {
      await expect(
        createScenarioApp(createAdapter, {
          imports: [DualTokenAuthModule.forRoot(authOptions({ accessToken: {} }))],
        }),
      ).rejects.toThrow(/accessToken\.secret is missing/);
    });

    it('refuses to start when an async factory yields no accessToken.secret (an unset environment variable)', async () => {
      await expect(
        createScenarioApp(createAdapter, {
          imports: [
            DualTokenAuthModule.forRootAsync({
              useFactory: () => authOptions({ accessToken: { secret: process.env.DUAL_TOKEN_AUTH_UNSET_SECRET } }),
            }),
          ],
        }),
      ).rejects.toThrow(/accessToken\.secret is missing/);
    });
  });
});

function createGlobalGuardApp(createAdapter: HttpAdapterFactory): Promise<INestApplication> {
  return createScenarioApp(createAdapter, {
    imports: [DualTokenAuthModule.forRoot({ ...authOptions(), globalGuard: true })],
    controllers: [MixedController, HealthController, ProfileController],
  });
}
