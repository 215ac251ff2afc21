import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  ForbiddenException,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
  Res,
  UnauthorizedException,
  UseGuards,
  mixin,
  type Type,
} from '@nestjs/common';
import { RESOLVED_AUTH_CONFIG } from '../dual-token-auth.internal-constants.js';
import { CurrentUser } from '../decorators/current-user.decorator.js';
import { Public } from '../decorators/public.decorator.js';
import { LoginDto } from '../dto/login.dto.js';
import { LogoutDto } from '../dto/logout.dto.js';
import { RefreshTokenDto } from '../dto/refresh-token.dto.js';
import { InvalidTokenError } from '../exceptions/invalid-token.error.js';
import { SessionRejectedError } from '../exceptions/session-rejected.error.js';
import { TooManyAuthAttemptsException } from '../exceptions/too-many-auth-attempts.exception.js';
import { AccessTokenGuard } from '../guards/access-token.guard.js';
import type { DualTokenAuthRegistrationOptions } from '../interfaces/dual-token-auth-options.interface.js';
import type { AccessTokenPayload, TokenPairResponse } from '../interfaces/token-payloads.interface.js';
import { AuthEventPublisher } from '../services/auth-event-publisher.js';
import { AuthRateLimiter } from '../services/auth-rate-limiter.js';
import { DualTokenService } from '../services/dual-token.service.js';
import { SessionService } from '../services/session.service.js';
import { createValidationPipe } from '../utils/create-validation-pipe.js';
import { extractBearerToken } from '../utils/extract-bearer-token.js';
import { clientMetadataOf, setResponseHeader, type HttpRequestLike } from '../utils/http-exchange.js';
import { mapStoreErrors } from '../utils/map-store-errors.js';
import { RefreshTokenCookie } from '../utils/refresh-token-cookie.js';
import type { ResolvedAuthConfig } from '../utils/resolve-auth-config.js';

/** One entry of `GET <prefix>/sessions`. */
export interface SessionSummary {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  userAgent: string | null;
  ip: string | null;
  /** Whether this is the session of the access token that asked. */
  current: boolean;
}

/** Login/refresh answer; `refresh_token` is absent in cookie transport unless `includeInBody` is set. */
export type TokenResponseBody = Omit<TokenPairResponse, 'refresh_token'> & { refresh_token?: string };

/**
 * Builds the login/refresh/logout/sessions controller under the configured prefix. Route paths are decorator
 * arguments, so they must be known when the class is created: hence a class made inside a function and passed
 * through `mixin()`, as `@nestjs/passport` does for `AuthGuard()`.
 */
export function createAuthController(registration: Required<DualTokenAuthRegistrationOptions>): Type<unknown> {
  const bodyPipe = createValidationPipe();
  const defaultCookiePath = `/${registration.routePrefix.replace(/^\/+|\/+$/g, '')}`;

  @Controller(registration.routePrefix)
  class DualTokenAuthController {
    readonly cookie?: RefreshTokenCookie;

    constructor(
      readonly sessions: SessionService,
      readonly tokens: DualTokenService,
      readonly rateLimiter: AuthRateLimiter,
      readonly events: AuthEventPublisher,
      @Inject(RESOLVED_AUTH_CONFIG) readonly config: ResolvedAuthConfig,
    ) {
      const cookie = config.refreshTokenCookie;
      if (cookie) this.cookie = new RefreshTokenCookie(cookie, cookie.path ?? defaultCookiePath);
    }

    /** Checks username and password; starts a session. Unknown user and wrong password get the same 401. */
    @Public()
    @Post('login')
    async login(
      @Body(bodyPipe) body: LoginDto,
      @Req() request: HttpRequestLike,
      @Res({ passthrough: true }) response: unknown,
    ): Promise<TokenResponseBody> {
      const client = clientMetadataOf(request);
      await this.throttled(response, () => this.rateLimiter.assertLoginAllowed(body.username, client.ip ?? null), (retryAfterSeconds) =>
        this.events.publish({ type: 'login.throttled', username: body.username, ip: client.ip ?? null, retryAfterSeconds }),
      );
      const pair = await mapStoreErrors(() => this.sessions.login(body.username, body.password, client));
      if (!pair) {
        await this.rateLimiter.recordLoginFailure(body.username, client.ip ?? null);
        throw new UnauthorizedException(this.config.messages.invalidCredentials);
      }
      await this.rateLimiter.recordLoginSuccess(body.username, client.ip ?? null);
      return this.deliver(pair, response);
    }

    /** Rotates the refresh token: returns a new pair; the presented token becomes the previous generation. */
    @Public()
    @Post('refresh')
    async refresh(
      @Body(bodyPipe) body: RefreshTokenDto,
      @Req() request: HttpRequestLike,
      @Res({ passthrough: true }) response: unknown,
    ): Promise<TokenResponseBody> {
      const token = body?.refresh_token ?? this.refreshTokenFromCookie(request);
      if (token === undefined) {
        throw new BadRequestException(['refresh_token is required (JSON body field "refresh_token")']);
      }
      return this.refreshOrReject(token, request, response);
    }

    /** The tutorial's `GET <prefix>/refresh?refresh_token=...`; only routed when `allowRefreshTokenInQuery` is on. */
    refreshFromQuery(refreshToken: unknown, request: HttpRequestLike, response: unknown): Promise<TokenResponseBody> {
      if (typeof refreshToken !== 'string' || refreshToken.length === 0) {
        throw new UnauthorizedException(this.config.messages.tokenInvalid);
      }
      return this.refreshOrReject(refreshToken, request, response);
    }

    /** Revokes the current session, identified by the refresh token (body or cookie) or else by the access token. */
    @Public()
    @Post('logout')
    @HttpCode(200)
    async logout(
      @Body(bodyPipe) body: LogoutDto,
      @Req() request: HttpRequestLike,
      @Res({ passthrough: true }) response: unknown,
    ): Promise<{ revoked: boolean }> {
      // Without a JSON body (logout by access token only) Express leaves the body undefined.
      const sessionId = this.sessionIdForLogout(body ?? {}, request);
      this.cookie?.clear(response);
      return { revoked: await mapStoreErrors(() => this.sessions.revoke(sessionId, 'logout')) };
    }

    /** Revokes every session of the current user. */
    @UseGuards(AccessTokenGuard)
    @Post('logout-all')
    @HttpCode(200)
    async logoutAll(@CurrentUser() user: AccessTokenPayload, @Res({ passthrough: true }) response: unknown): Promise<{ revoked: number }> {
      this.cookie?.clear(response);
      return { revoked: await mapStoreErrors(() => this.sessions.revokeAllForUser(user.sub)) };
    }

    /** The current user's live sessions, newest first, with the caller's own marked `current`. */
    @UseGuards(AccessTokenGuard)
    @Get('sessions')
    async listSessions(@CurrentUser() user: AccessTokenPayload): Promise<SessionSummary[]> {
      const sessions = await mapStoreErrors(() => this.sessions.listSessions(user.sub));
      return sessions.map((session) => ({
        id: session.id,
        createdAt: session.createdAt.toISOString(),
        lastUsedAt: session.lastUsedAt.toISOString(),
        expiresAt: new Date(Math.min(session.idleExpiresAt.getTime(), session.absoluteExpiresAt.getTime())).toISOString(),
        userAgent: session.userAgent,
        ip: session.ip,
        current: session.id === user.sid,
      }));
    }

    /** Revokes one of the current user's sessions; 404 for sessions that do not exist or belong to someone else. */
    @UseGuards(AccessTokenGuard)
    @Delete('sessions/:id')
    async revokeSession(
      @CurrentUser() user: AccessTokenPayload,
      @Param('id', new ParseUUIDPipe()) sessionId: string,
    ): Promise<{ revoked: boolean }> {
      if (!(await mapStoreErrors(() => this.sessions.revokeOwnSession(user.sub, sessionId)))) {
        throw new NotFoundException('Session not found');
      }
      return { revoked: true };
    }

    async refreshOrReject(refreshToken: string, request: HttpRequestLike, response: unknown): Promise<TokenResponseBody> {
      const ip = clientMetadataOf(request).ip ?? null;
      await this.throttled(response, () => this.rateLimiter.assertRefreshAllowed(ip), (retryAfterSeconds) =>
        this.events.publish({ type: 'refresh.throttled', ip, retryAfterSeconds }),
      );
      try {
        return this.deliver(await mapStoreErrors(() => this.sessions.refresh(refreshToken)), response);
      } catch (error) {
        if (error instanceof InvalidTokenError || error instanceof SessionRejectedError) {
          this.cookie?.clear(response);
          throw new UnauthorizedException(this.config.messages.tokenInvalid);
        }
        throw error;
      }
    }

    /** Cookie transport: the cookie's token, after checking the CSRF header; `undefined` when there is no cookie. */
    refreshTokenFromCookie(request: HttpRequestLike): string | undefined {
      const token = this.cookie?.read(request);
      if (token === undefined) return undefined;
      if (!this.cookie!.hasCsrfHeader(request)) {
        throw new ForbiddenException(`The ${this.cookie!.csrfHeaderName} header is required when the refresh token comes from a cookie`);
      }
      return token;
    }

    sessionIdForLogout(body: LogoutDto, request: HttpRequestLike): string {
      try {
        const refreshToken = body.refresh_token ?? this.refreshTokenFromCookie(request);
        if (refreshToken) return this.tokens.verifyRefreshToken(refreshToken).sid;
        const accessToken = extractBearerToken(request.headers.authorization);
        if (!accessToken) throw new UnauthorizedException(this.config.messages.notLoggedIn);
        return this.tokens.verifyAccessToken(accessToken).sid;
      } catch (error) {
        if (error instanceof InvalidTokenError) throw new UnauthorizedException(this.config.messages.tokenInvalid);
        throw error;
      }
    }

    /** Runs a rate-limit check; on 429 adds `Retry-After` and reports the event before rethrowing. */
    async throttled(response: unknown, check: () => Promise<void>, report: (retryAfterSeconds: number) => void): Promise<void> {
      try {
        await check();
      } catch (error) {
        if (error instanceof TooManyAuthAttemptsException) {
          setResponseHeader(response, 'Retry-After', String(error.retryAfterSeconds));
          report(error.retryAfterSeconds);
        }
        throw error;
      }
    }

    /** Cookie transport moves the refresh token out of the body into an HttpOnly cookie. */
    deliver(pair: TokenPairResponse, response: unknown): TokenResponseBody {
      if (!this.cookie) return pair;
      this.cookie.write(response, pair.refresh_token, pair.refresh_expires_in);
      if (this.config.refreshTokenCookie && this.config.refreshTokenCookie.includeInBody) return pair;
      const { refresh_token: _inCookie, ...body } = pair;
      return body;
    }
  }

  if (registration.allowRefreshTokenInQuery) {
    const prototype = DualTokenAuthController.prototype;
    const descriptor = Object.getOwnPropertyDescriptor(prototype, 'refreshFromQuery')!;
    // Decorators applied by hand get no emitted parameter types; declare them so pipes know the query is a string.
    Reflect.defineMetadata('design:paramtypes', [String, Object, Object], prototype, 'refreshFromQuery');
    Query('refresh_token')(prototype, 'refreshFromQuery', 0);
    Req()(prototype, 'refreshFromQuery', 1);
    Res({ passthrough: true })(prototype, 'refreshFromQuery', 2);
    Public()(prototype, 'refreshFromQuery', descriptor);
    Get('refresh')(prototype, 'refreshFromQuery', descriptor);
  }

  return mixin(DualTokenAuthController);
}
