import { Controller, Get, type INestApplication, type LoggerService, type ModuleMetadata, UseGuards } from '@nestjs/common';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import {
  AccessTokenGuard,
  CurrentUser,
  type AccessTokenClaims,
  type AccessTokenPayload,
  type DualTokenAuthOptions,
  type TokenPairResponse,
  type UserLookup,
} from 'nestjs-dual-token-auth';
import request from 'supertest';

/** HMAC secrets of the scenario apps: different for the two kinds and long enough for production rules. */
export const ACCESS_SECRET = 'scenario-access-secret-0123456789abcdef0123';
export const REFRESH_SECRET = 'scenario-refresh-secret-0123456789abcdef012';

export type AdapterName = 'express' | 'fastify';
export type HttpAdapterFactory = () => ExpressAdapter | FastifyAdapter;

/** Both HTTP platforms, for `describe.each(HTTP_ADAPTERS)('... on %s', (name, createAdapter) => ...)`. */
export const HTTP_ADAPTERS: [AdapterName, HttpAdapterFactory][] = [
  ['express', () => new ExpressAdapter()],
  ['fastify', () => new FastifyAdapter()],
];

export interface ScenarioUser {
  id: number;
  username: string;
  password: string;
}

/** A users table in a Map. Plain-text passwords are fine in a test double; a real lookup verifies a hash. */
export class InMemoryUserLookup implements UserLookup<ScenarioUser> {
  readonly users = new Map<number, ScenarioUser>();

  constructor(users: ScenarioUser[] = DEFAULT_USERS) {
    for (const user of users) this.users.set(user.id, { ...user });
  }

  async validateCredentials(username: string, password: string): Promise<ScenarioUser | null> {
    for (const user of this.users.values()) {
      if (user.username === username) return user.password === password ? user : null;
    }
    return null;
  }

  async findById(userId: string | number): Promise<ScenarioUser | null> {
    return this.users.get(Number(userId)) ?? null;
  }

  toAccessTokenClaims(user: ScenarioUser): AccessTokenClaims {
    return { userId: user.id, username: user.username };
  }
}

export const DEFAULT_USERS: ScenarioUser[] = [
  { id: 1, username: 'alice', password: 'alice-password' },
  { id: 2, username: 'bob', password: 'bob-password' },
];

/** Working module options with a fresh user lookup and the default (in-memory) session store. */
export function authOptions(overrides: Partial<DualTokenAuthOptions> = {}): DualTokenAuthOptions {
  return {
    accessToken: { secret: ACCESS_SECRET },
    refreshToken: { secret: REFRESH_SECRET },
    userLookup: new InMemoryUserLookup(),
    ...overrides,
  };
}

/**
 * Compiles a root module from `metadata`, starts it on the given platform and waits until it can serve requests.
 * Close it with `app.close()`. Logs only errors unless a `logger` is given; `beforeInit` may set up what must precede
 * `init()` (a WebSocket adapter).
 */
export async function createScenarioApp(
  createAdapter: HttpAdapterFactory,
  metadata: ModuleMetadata,
  logger: LoggerService | ['error'] = ['error'],
  beforeInit?: (app: INestApplication) => void,
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule(metadata).compile();
  const adapter = createAdapter();
  const app =
    adapter instanceof FastifyAdapter
      ? moduleRef.createNestApplication<NestFastifyApplication>(adapter, { logger })
      : moduleRef.createNestApplication<NestExpressApplication>(adapter, { logger });
  beforeInit?.(app);
  await app.init();
  if (adapter instanceof FastifyAdapter) await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
  return app;
}

/** `GET /guarded` behind `AccessTokenGuard`: answers the caller's username, so a test can see whose token passed. */
@Controller()
export class GuardedController {
  @UseGuards(AccessTokenGuard)
  @Get('guarded')
  guarded(@CurrentUser() user: AccessTokenPayload): { username: unknown } {
    return { username: user.username };
  }
}

/** Logs in through the built-in controller and returns the pair (fails the test unless the answer is 201). */
export async function loginAs(
  app: INestApplication,
  username = 'alice',
  password = `${username}-password`,
  prefix = 'user',
): Promise<TokenPairResponse> {
  const response = await request(app.getHttpServer()).post(`/${prefix}/login`).send({ username, password }).expect(201);
  return response.body as TokenPairResponse;
}
