import {
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
  UnauthorizedException,
  UseGuards,
  mixin,
  type Type,
} from '@nestjs/common';
import { REQUEST_ACCESS_TOKEN_PROPERTY } from '../dual-token-auth.constants.js';
import { RESOLVED_AUTH_CONFIG } from '../dual-token-auth.internal-constants.js';
import { CurrentUser } from '../decorators/current-user.decorator.js';
import { Public } from '../decorators/public.decorator.js';
import { LoginDto } from '../dto/login.dto.js';
import { LogoutDto } from '../dto/logout.dto.js';
import { RefreshTokenDto } from '../dto/refresh-token.dto.js';
import { InvalidTokenError } from '../exceptions/invalid-token.error.js';
import { SessionRejectedError } from '../exceptions/session-rejected.error.js';
import { AccessTokenGuard } from '../guards/access-token.guard.js';
import type { DualTokenAuthRegistrationOptions } from '../interfaces/dual-token-auth-options.interface.js';
import type { AccessTokenPayload, TokenPairResponse } from '../interfaces/token-payloads.interface.js';
import { DualTokenService } from '../services/dual-token.service.js';
import { SessionService, type ClientMetadata } from '../services/session.service.js';
import { createValidationPipe } from '../utils/create-validation-pipe.js';
import { extractBearerToken } from '../utils/extract-bearer-token.js';
import type { ResolvedAuthConfig } from '../utils/resolve-auth-config.js';

type HttpRequest = {
  headers: Record<string, string | string[] | undefined>;
  ip?: string;
  [key: string]: unknown;
};

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

/**
 * Builds the login/refresh/logout/sessions controller under the configured prefix. Route paths are decorator
 * arguments, so they must be known when the class is created: hence a class made inside a function and passed
 * through `mixin()`, as `@nestjs/passport` does for `AuthGuard()`.
 */
export function createAuthController(registration: Required<DualTokenAuthRegistrationOptions>): Type<unknown> {
  const bodyPipe = createValidationPipe();

  @Controller(registration.routePrefix)
  class DualTokenAuthController {
    constructor(
      readonly sessions: SessionService,
      readonly tokens: DualTokenService,
      @Inject(RESOLVED_AUTH_CONFIG) readonly config: ResolvedAuthConfig,
    ) {}

    /** Checks username and password; starts a session. Unknown user and wrong password get the same 401. */
    @Public()
    @Post('login')
    async login(@Body(bodyPipe) body: LoginDto, @Req() request: HttpRequest): Promise<TokenPairResponse> {
      const pair = await this.sessions.login(body.username, body.password, clientMetadata(request));
      if (!pair) throw new UnauthorizedException(this.config.messages.invalidCredentials);
      return pair;
    }

    /** Rotates the refresh token: returns a new pair; the presented token becomes the previous generation. */
    @Public()
    @Post('refresh')
    refresh(@Body(bodyPipe) body: RefreshTokenDto): Promise<TokenPairResponse> {
      return this.refreshOrReject(body.refresh_token);
    }

    /** The tutorial's `GET <prefix>/refresh?refresh_token=...`; only routed when `allowRefreshTokenInQuery` is on. */
    refreshFromQuery(refreshToken: unknown): Promise<TokenPairResponse> {
      if (typeof refreshToken !== 'string' || refreshToken.length === 0) {
        throw new UnauthorizedException(this.config.messages.tokenInvalid);
      }
      return this.refreshOrReject(refreshToken);
    }

    /** Revokes the current session, identified by the refresh token in the body or else by the access token. */
    @Public()
    @Post('logout')
    @HttpCode(200)
    async logout(@Body(bodyPipe) body: LogoutDto, @Req() request: HttpRequest): Promise<{ revoked: boolean }> {
      // Without a JSON body (logout by access token only) Express leaves the body undefined.
      const sessionId = this.sessionIdForLogout(body ?? {}, request);
      return { revoked: await this.sessions.revoke(sessionId, 'logout') };
    }

    /** Revokes every session of the current user. */
    @UseGuards(AccessTokenGuard)
    @Post('logout-all')
    @HttpCode(200)
    async logoutAll(@CurrentUser() user: AccessTokenPayload): Promise<{ revoked: number }> {
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

    async refreshOrReject(refreshToken: string): Promise<TokenPairResponse> {
      try {
        return await this.sessions.refresh(refreshToken);
      } catch (error) {
        if (error instanceof InvalidTokenError || error instanceof SessionRejectedError) {
          throw new UnauthorizedException(this.config.messages.tokenInvalid);
        }
        throw error;
      }
    }

    sessionIdForLogout(body: LogoutDto, request: HttpRequest): string {
      try {
        if (body.refresh_token) return this.tokens.verifyRefreshToken(body.refresh_token).sid;
        const accessToken =
          (request[REQUEST_ACCESS_TOKEN_PROPERTY] as string | undefined) ?? extractBearerToken(request.headers.authorization);
        if (!accessToken) throw new UnauthorizedException(this.config.messages.notLoggedIn);
        return this.tokens.verifyAccessToken(accessToken).sid;
      } catch (error) {
        if (error instanceof InvalidTokenError) throw new UnauthorizedException(this.config.messages.tokenInvalid);
        throw error;
      }
    }
  }

  if (registration.allowRefreshTokenInQuery) {
    const prototype = DualTokenAuthController.prototype;
    const descriptor = Object.getOwnPropertyDescriptor(prototype, 'refreshFromQuery')!;
    // Decorators applied by hand get no emitted parameter types; declare them so pipes know the query is a string.
    Reflect.defineMetadata('design:paramtypes', [String], prototype, 'refreshFromQuery');
    Query('refresh_token')(prototype, 'refreshFromQuery', 0);
    Public()(prototype, 'refreshFromQuery', descriptor);
    Get('refresh')(prototype, 'refreshFromQuery', descriptor);
  }

  return mixin(DualTokenAuthController);
}

function clientMetadata(request: HttpRequest): ClientMetadata {
  const userAgent = request.headers['user-agent'];
  return { userAgent: typeof userAgent === 'string' ? userAgent : null, ip: request.ip ?? null };
}
