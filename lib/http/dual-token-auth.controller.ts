import {
  BadRequestException,
  Body,
  Controller,
  Delete,
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
  UseFilters,
  UseGuards,
  type Type,
} from '@nestjs/common';
import { AUTH_CONFIG, type ResolvedAuthConfig } from '../config/resolved-auth-config.js';
import { CurrentUser } from '../decorators/current-user.decorator.js';
import { InvalidTokenError } from '../exceptions/invalid-token.error.js';
import { SessionRejectedError } from '../exceptions/session-rejected.error.js';
import { Public } from '../decorators/public.decorator.js';
import { AccessTokenGuard } from '../guards/access-token.guard.js';
import type { DualTokenAuthRegistrationOptions } from '../interfaces/dual-token-auth-options.interface.js';
import type { SessionSummary } from '../interfaces/session-summary.interface.js';
import type { AccessTokenPayload } from '../interfaces/token-payloads.interface.js';
import type { TokenResponseBody } from '../interfaces/token-response.interface.js';
import { AuthRateLimiter } from '../rate-limiting/auth-rate-limiter.js';
import { SessionService } from '../sessions/session.service.js';
import { extractBearerToken } from '../tokens/bearer-token.js';
import { DualTokenService } from '../tokens/dual-token.service.js';
import { AuthExceptionFilter } from './auth-exception.filter.js';
import { AuthValidationPipe } from './auth-validation.pipe.js';
import { LoginDto } from './dto/login.dto.js';
import { LogoutDto } from './dto/logout.dto.js';
import { ReauthenticateDto } from './dto/reauthenticate.dto.js';
import { RefreshTokenDto } from './dto/refresh-token.dto.js';
import { RefreshTokenBodyPipe } from './refresh-token-body.pipe.js';
import { RefreshTokenTransport } from './refresh-token-transport.js';
import { clientMetadataOf, type HttpRequestLike } from '../platform/request-adapter.js';

/** One instance for every body: the pipe holds no request state. */
const BODY_PIPE = new AuthValidationPipe();
/** The refresh route's: the same rules, with a shortcut for its usual body (refresh is the busiest auth route). */
const REFRESH_BODY_PIPE = new RefreshTokenBodyPipe();

/**
 * The login/refresh/logout/sessions routes. Routes only: errors become answers in {@link AuthExceptionFilter}, the
 * refresh token's way to the browser is {@link RefreshTokenTransport}'s business, throttling the limiter's. The route
 * prefix is chosen at registration, so {@link createAuthController} puts this class under `@Controller(prefix)`.
 */
@UseFilters(AuthExceptionFilter)
export class DualTokenAuthRoutes {
  constructor(
    private readonly sessions: SessionService,
    private readonly tokens: DualTokenService,
    private readonly rateLimiter: AuthRateLimiter,
    private readonly transport: RefreshTokenTransport,
    @Inject(AUTH_CONFIG) private readonly config: ResolvedAuthConfig,
  ) {}

  /** Checks username and password; starts a session. Unknown user and wrong password get the same 401. */
  @Public()
  @Post('login')
  async login(
    @Body(BODY_PIPE) body: LoginDto,
    @Req() request: HttpRequestLike,
    @Res({ passthrough: true }) response: unknown,
  ): Promise<TokenResponseBody> {
    this.transport.assertLoginMayStartBrowserSession(request);
    // The address seen through trusted proxies (trustProxy), so sessions and events name the client, not the proxy.
    const client = { ...clientMetadataOf(request), ip: this.rateLimiter.clientAddressOf(request) };
    const pair = await this.rateLimiter.throttleLogin(body.username, request, () =>
      this.sessions.login(body.username, body.password, client),
    );
    if (!pair) throw new UnauthorizedException(this.config.messages.invalidCredentials);
    return this.transport.deliver(pair, response);
  }

  /** Rotates the refresh token: returns a new pair; the presented token becomes the previous generation. */
  @Public()
  @Post('refresh')
  async refresh(
    @Body(REFRESH_BODY_PIPE) body: RefreshTokenDto,
    @Req() request: HttpRequestLike,
    @Res({ passthrough: true }) response: unknown,
  ): Promise<TokenResponseBody> {
    const token = body?.refresh_token ?? this.transport.readCookie(request);
    if (token === undefined) {
      throw new BadRequestException(['refresh_token is required (JSON body field "refresh_token")']);
    }
    return this.rotate(token, request, response);
  }

  /** Revokes the current session, identified by the refresh token (body or cookie) or else by the access token. */
  @Public()
  @Post('logout')
  @HttpCode(200)
  async logout(
    @Body(BODY_PIPE) body: LogoutDto,
    @Req() request: HttpRequestLike,
    @Res({ passthrough: true }) response: unknown,
  ): Promise<{ revoked: boolean }> {
    // Without a JSON body (logout by access token only) Express leaves the body undefined.
    const sessionId = this.sessionIdForLogout(body ?? {}, request);
    this.transport.clear(response);
    return { revoked: await this.sessions.revoke(sessionId, 'logout') };
  }

  /**
   * Step-up: checks the current user's password again and renews `auth_time` of the current session (same session,
   * rotated to its next generation); answers like refresh. Throttled like login, so it cannot be used to guess the
   * password of a stolen access token's user.
   */
  @UseGuards(AccessTokenGuard)
  @Post('reauthenticate')
  async reauthenticate(
    @Body(BODY_PIPE) body: ReauthenticateDto,
    @CurrentUser() user: AccessTokenPayload,
    @Req() request: HttpRequestLike,
    @Res({ passthrough: true }) response: unknown,
  ): Promise<TokenResponseBody> {
    const username = typeof user.username === 'string' ? user.username : user.sub;
    const pair = await this.rateLimiter.throttleLogin(username, request, () => this.sessions.reauthenticate(user, body.password));
    if (!pair) throw new UnauthorizedException(this.config.messages.invalidCredentials);
    return this.transport.deliver(pair, response);
  }

  /** Revokes every session of the current user. */
  @UseGuards(AccessTokenGuard)
  @Post('logout-all')
  @HttpCode(200)
  async logoutAll(@CurrentUser() user: AccessTokenPayload, @Res({ passthrough: true }) response: unknown): Promise<{ revoked: number }> {
    this.transport.clear(response);
    return { revoked: await this.sessions.revokeAllForUser(user.sub) };
  }

  /** The current user's live sessions, newest first, with the caller's own marked `current`. */
  @UseGuards(AccessTokenGuard)
  @Get('sessions')
  async listSessions(@CurrentUser() user: AccessTokenPayload): Promise<SessionSummary[]> {
    const sessions = await this.sessions.listSessions(user.sub);
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
    if (!(await this.sessions.revokeOwnSession(user.sub, sessionId))) {
      throw new NotFoundException('Session not found');
    }
    return { revoked: true };
  }

  /**
   * Throttles, rotates and delivers. Through the transport, a rejected token also clears the cookie, so the browser
   * stops sending it; `'body-only'` answers in the body and never touches a cookie (the query route).
   */
  protected async rotate(
    refreshToken: string,
    request: HttpRequestLike,
    response: unknown,
    delivery: 'transport' | 'body-only' = 'transport',
  ): Promise<TokenResponseBody> {
    await this.rateLimiter.assertRefreshAllowed(request);
    if (delivery === 'body-only') return this.transport.deliverInBody(await this.sessions.refresh(refreshToken), response);
    try {
      return this.transport.deliver(await this.sessions.refresh(refreshToken), response);
    } catch (error) {
      if (error instanceof InvalidTokenError || error instanceof SessionRejectedError) this.transport.clear(response);
      throw error;
    }
  }

  private sessionIdForLogout(body: LogoutDto, request: HttpRequestLike): string {
    const refreshToken = body.refresh_token ?? this.transport.readCookie(request);
    if (refreshToken) return this.tokens.verifyRefreshToken(refreshToken).sid;
    const accessToken = extractBearerToken(request.headers.authorization);
    if (!accessToken) throw new UnauthorizedException(this.config.messages.notLoggedIn);
    return this.tokens.verifyAccessToken(accessToken).sid;
  }
}

/**
 * The routes plus `GET <prefix>/refresh?refresh_token=...`, for registrations with `allowRefreshTokenInQuery`.
 * A subclass, so the query route exists only where it was asked for. It answers in the body even in cookie transport:
 * a plain link can trigger it, so it must never set a cookie.
 */
export class DualTokenAuthRoutesWithQueryRefresh extends DualTokenAuthRoutes {
  @Public()
  @Get('refresh')
  refreshFromQuery(
    @Query('refresh_token') refreshToken: unknown,
    @Req() request: HttpRequestLike,
    @Res({ passthrough: true }) response: unknown,
  ): Promise<TokenResponseBody> {
    // A missing or repeated parameter is an invalid token: the same 401 as any other bad token.
    if (typeof refreshToken !== 'string' || refreshToken.length === 0) throw new InvalidTokenError('malformed');
    return this.rotate(refreshToken, request, response, 'body-only');
  }
}

/**
 * The auth controller of one registration, under its route prefix. A class named `DualTokenAuthController` (it appears
 * under that name in Nest's startup log and in DI errors), made per registration because `@Controller(prefix)` takes
 * the prefix when the class is declared.
 */
export function createAuthController(registration: Required<DualTokenAuthRegistrationOptions>): Type<DualTokenAuthRoutes> {
  const Routes = registration.allowRefreshTokenInQuery ? DualTokenAuthRoutesWithQueryRefresh : DualTokenAuthRoutes;
  @Controller(registration.routePrefix)
  class DualTokenAuthController extends Routes {}
  return DualTokenAuthController;
}
