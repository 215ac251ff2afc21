// The Nest application every bench server runs. All variants share these controllers, so the route table and the
// handlers are identical; a scenario differs only in the route the load generator hits and in the module options.
import 'reflect-metadata';
import {
  type CanActivate,
  Body,
  Controller,
  type DynamicModule,
  type ExecutionContext,
  Get,
  Inject,
  Injectable,
  Module,
  Post,
  type Provider,
  Req,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { JwtModule, JwtService } from '@nestjs/jwt';
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import { hash, verifySync, type Options as Argon2Options } from '@node-rs/argon2';
import {
  AccessTokenGuard,
  DualTokenAuthModule,
  InMemorySessionStore,
  type AccessTokenClaims,
  type RateLimitStore,
  type SessionRevocationBus,
  type SessionStore,
  type UserId,
  type UserLookup,
} from 'nestjs-dual-token-auth';
import { Argon2PasswordHasher } from 'nestjs-dual-token-auth/argon2';
import { DualTokenSessionEntity } from 'nestjs-dual-token-auth/typeorm';
import type { Redis } from 'ioredis';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { DataSource } from 'typeorm';
import { HandwrittenCachedGuard, HandwrittenUncachedGuard } from './handwritten-guard.js';
import { ACCESS_SECRET, BENCH_PASSWORD, BENCH_USERNAME, REFRESH_SECRET, TUTORIAL_SECRET, type ServerConfig } from './shared.js';

/** What the handlers read from the request: `request.user` as set by whichever guard ran. */
interface BenchRequest {
  user?: { sub?: string };
  headers: Record<string, string | string[] | undefined>;
}

/** The same argon2id parameters as sample-app/password/password-hasher.ts (OWASP minimum: 19 MiB, t=2, p=1). */
export const ARGON2_PARAMETERS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
export const ARGON2_OPTIONS: Argon2Options = { algorithm: 2, ...ARGON2_PARAMETERS };

// ---------------------------------------------------------------------------------------------------------------
// The comparison guards, written the way the NestJS docs and the usual tutorials write them.

/** The "authentication" chapter of the NestJS docs: `JwtService.verify` with the string secret of `JwtModule.register`. */
@Injectable()
export class TutorialJwtGuard implements CanActivate {
  constructor(private readonly jwtService: JwtService) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<BenchRequest & Record<string, unknown>>();
    const [type, token] = String(request.headers.authorization ?? '').split(' ');
    if (type !== 'Bearer' || !token) throw new UnauthorizedException();
    try {
      request['user'] = this.jwtService.verify(token);
    } catch {
      throw new UnauthorizedException();
    }
    return true;
  }
}

/** The `@nestjs/passport` recipe: passport-jwt with `secretOrKey` as a string. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor() {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      ignoreExpiration: false,
      secretOrKey: TUTORIAL_SECRET,
    });
  }

  validate(payload: { sub: string; username: string }): { sub: string; username: string } {
    return { sub: payload.sub, username: payload.username };
  }
}

/** The floor of any Nest guard: lets everything through. Separates Nest's guard machinery from the guard's own work. */
@Injectable()
export class AllowAllGuard implements CanActivate {
  canActivate(_context?: ExecutionContext): boolean {
    return true;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Routes. Every handler takes the request and returns a small JSON object of about the same size.

@Controller()
export class BenchController {
  @Get('open')
  open(@Req() _request: BenchRequest): { ok: boolean; user: string | null } {
    return { ok: true, user: null };
  }

  @UseGuards(AllowAllGuard)
  @Get('allow-all')
  allowAll(@Req() request: BenchRequest): { ok: boolean; user: string | null } {
    return { ok: true, user: request.user?.sub ?? null };
  }

  @UseGuards(AccessTokenGuard)
  @Get('ours')
  ours(@Req() request: BenchRequest): { ok: boolean; user: string | null } {
    return { ok: true, user: request.user?.sub ?? null };
  }

  @UseGuards(HandwrittenCachedGuard)
  @Get('handwritten')
  handwritten(@Req() request: BenchRequest): { ok: boolean; user: string | null } {
    return { ok: true, user: request.user?.sub ?? null };
  }

  @UseGuards(HandwrittenUncachedGuard)
  @Get('handwritten-uncached')
  handwrittenUncached(@Req() request: BenchRequest): { ok: boolean; user: string | null } {
    return { ok: true, user: request.user?.sub ?? null };
  }

  @UseGuards(TutorialJwtGuard)
  @Get('tutorial')
  tutorial(@Req() request: BenchRequest): { ok: boolean; user: string | null } {
    return { ok: true, user: request.user?.sub ?? null };
  }
}

@Controller()
export class PassportController {
  @UseGuards(AuthGuard('jwt'))
  @Get('passport')
  passport(@Req() request: BenchRequest): { ok: boolean; user: string | null } {
    return { ok: true, user: request.user?.sub ?? null };
  }
}

export const BENCH_DATA_SOURCE = Symbol('BENCH_DATA_SOURCE');
/** Id of the session row `GET /db-read` reads; filled in after startup. */
export const DB_READ_TARGET = Symbol('DB_READ_TARGET');
export interface DbReadTarget {
  sessionId: string;
}

/** Unguarded baseline for the MySQL scenario: one primary-key read of the sessions table, through the same TypeORM stack. */
@Controller()
export class DbController {
  constructor(
    @Inject(BENCH_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(DB_READ_TARGET) private readonly target: DbReadTarget,
  ) {}

  @Get('db-read')
  async read(@Req() _request: BenchRequest): Promise<{ ok: boolean; user: string | null }> {
    const row = await this.dataSource.getRepository(DualTokenSessionEntity).findOneBy({ id: this.target.sessionId });
    return { ok: true, user: row?.userId ?? null };
  }
}

export const BENCH_REDIS = Symbol('BENCH_REDIS');
/** Key `GET /redis-read` reads; written at startup. */
export const REDIS_READ_KEY = 'bench:redis-read';

/** Unguarded baseline for the Redis scenarios: one GET on the client the session store uses. */
@Controller()
export class RedisReadController {
  constructor(@Inject(BENCH_REDIS) private readonly redis: Redis) {}

  @Get('redis-read')
  async read(@Req() _request: BenchRequest): Promise<{ ok: boolean; user: string | null }> {
    return { ok: true, user: await this.redis.get(REDIS_READ_KEY) };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// User lookups.

interface BenchUser {
  id: number;
  username: string;
}

/** Users in memory with a plain password (no hashing): for scenarios where login cost is not what is measured. */
export class PlainUserLookup implements UserLookup<BenchUser> {
  async validateCredentials(username: string, password: string): Promise<BenchUser | null> {
    return username === BENCH_USERNAME && password === BENCH_PASSWORD ? { id: 1, username } : null;
  }

  async findById(userId: UserId): Promise<BenchUser | null> {
    const id = Number(userId);
    return Number.isInteger(id) && id > 0 ? { id, username: `user${id}` } : null;
  }

  toAccessTokenClaims(user: BenchUser): AccessTokenClaims {
    return { userId: user.id, username: user.username };
  }
}

/**
 * Like sample-app/user/user.service.ts: argon2id verification on libuv's thread pool through the library's
 * `Argon2PasswordHasher` (`async`), or — the control that shows what the storm test catches — `verifySync` on the
 * event loop (`sync`).
 */
export class Argon2UserLookup extends PlainUserLookup {
  private readonly hasher = new Argon2PasswordHasher(ARGON2_PARAMETERS);

  private constructor(
    private readonly passwordHash: string,
    private readonly dummyHash: string,
    private readonly mode: 'async' | 'sync',
  ) {
    super();
  }

  static async create(mode: 'async' | 'sync'): Promise<Argon2UserLookup> {
    return new Argon2UserLookup(await hash(BENCH_PASSWORD, ARGON2_OPTIONS), await hash(`dummy-${Math.random()}`, ARGON2_OPTIONS), mode);
  }

  override async validateCredentials(username: string, password: string): Promise<BenchUser | null> {
    const ok = await this.verifyPassword(username, password);
    return ok && username === BENCH_USERNAME ? { id: 1, username } : null;
  }

  /** The argon2id verification alone (the stored hash of `username`, or the dummy for anyone else): what a login cannot do without. */
  verifyPassword(username: string, password: string): Promise<boolean> {
    const stored = username === BENCH_USERNAME ? this.passwordHash : this.dummyHash;
    return this.mode === 'sync' ? Promise.resolve(verifySync(stored, password)) : this.hasher.verify(stored, password);
  }
}

/** The user lookup of the argon2 servers, for `POST /argon2-only`. */
export const BENCH_ARGON2_USERS = Symbol('BENCH_ARGON2_USERS');

/**
 * The anchor of the login throughput row: `POST /argon2-only` reads the same JSON body as `POST /user/login` and runs
 * the same argon2id verification (same hasher, parameters and stored hash), and nothing else: no validation, rate
 * limit, session or tokens. Login can only approach its throughput.
 */
@Controller()
export class Argon2OnlyController {
  constructor(@Inject(BENCH_ARGON2_USERS) private readonly users: Argon2UserLookup) {}

  @Post('argon2-only')
  async verify(@Body() body: { username?: unknown; password?: unknown }): Promise<{ ok: boolean; user: string | null }> {
    const ok = await this.users.verifyPassword(String(body?.username), String(body?.password));
    return { ok, user: null };
  }
}

// ---------------------------------------------------------------------------------------------------------------

export interface BenchAppDependencies {
  userLookup: UserLookup;
  sessionStore?: SessionStore;
  dataSource?: DataSource;
  dbReadTarget?: DbReadTarget;
  /** With `redis`: the client of `GET /redis-read`, and the library's Redis stores built on it. */
  redis?: { client: Redis; rateLimitStore: RateLimitStore; sessionRevocationBus: SessionRevocationBus };
  /** GraphQL module and resolver, socket.io gateways (bench/src/transports-app.ts), for the `transports` section. */
  transport?: { imports: DynamicModule[]; providers: Provider[] };
}

/**
 * Limits of the scenarios that count logins (`rateLimit: true`): every attempt still reserves a point on each login
 * limit and gives it back on success (the store's cost is measured), but the bench's one account logging in from one
 * address thousands of times is never refused.
 */
const UNREACHED_LIMITS = { maxFailuresPerUsernameAndIp: 1e9, maxFailuresPerIp: 1e9, maxFailuresPerUsername: 1e9, maxRefreshesPerIpPerMinute: 1e9 };

@Module({})
export class BenchAppModule {
  static register(config: ServerConfig, deps: BenchAppDependencies): DynamicModule {
    const withDb = deps.dataSource !== undefined;
    const redis = deps.redis;
    const argon2Users = deps.userLookup instanceof Argon2UserLookup ? deps.userLookup : undefined;
    return {
      module: BenchAppModule,
      imports: [
        DualTokenAuthModule.forRoot({
          accessToken: { secret: ACCESS_SECRET, expiresIn: '2h' },
          refreshToken: { secret: REFRESH_SECRET, expiresIn: '7d' },
          userLookup: deps.userLookup,
          sessionStore: deps.sessionStore ?? new InMemorySessionStore(),
          rejectRevokedAccessTokens: config.sessionCheck,
          ...(config.revocationCheckCacheSeconds !== undefined ? { revocationCheckCacheSeconds: config.revocationCheckCacheSeconds } : {}),
          rateLimit: config.rateLimit ? UNREACHED_LIMITS : false,
          ...(redis ? { rateLimitStore: redis.rateLimitStore, sessionRevocationBus: redis.sessionRevocationBus } : {}),
        }),
        JwtModule.register({ secret: TUTORIAL_SECRET, signOptions: { expiresIn: 7200 } }),
        ...(config.passport ? [PassportModule] : []),
        ...(deps.transport?.imports ?? []),
      ],
      controllers: [
        BenchController,
        ...(config.passport ? [PassportController] : []),
        ...(withDb ? [DbController] : []),
        ...(redis ? [RedisReadController] : []),
        ...(argon2Users ? [Argon2OnlyController] : []),
      ],
      providers: [
        AllowAllGuard,
        TutorialJwtGuard,
        HandwrittenCachedGuard,
        HandwrittenUncachedGuard,
        ...(config.passport ? [JwtStrategy] : []),
        ...(withDb
          ? [
              { provide: BENCH_DATA_SOURCE, useValue: deps.dataSource },
              { provide: DB_READ_TARGET, useValue: deps.dbReadTarget },
            ]
          : []),
        ...(redis ? [{ provide: BENCH_REDIS, useValue: redis.client }] : []),
        ...(argon2Users ? [{ provide: BENCH_ARGON2_USERS, useValue: argon2Users }] : []),
        ...(deps.transport?.providers ?? []),
      ],
    };
  }
}
