import { Inject, UnauthorizedException } from '@nestjs/common';
import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { AUTH_CONFIG, type ResolvedAuthConfig } from '../config/resolved-auth-config.js';
import { Public } from '../decorators/public.decorator.js';
import { RefreshTokenTransport } from '../http/refresh-token-transport.js';
import type { TokenResponseBody } from '../interfaces/token-response.interface.js';
import { clientMetadataOf, type HttpRequestLike } from '../platform/request-adapter.js';
import { InvalidTokenError } from '../exceptions/invalid-token.error.js';
import { SessionRejectedError } from '../exceptions/session-rejected.error.js';
import { AuthRateLimiter } from '../rate-limiting/auth-rate-limiter.js';
import { SessionService } from '../sessions/session.service.js';
import { extractBearerToken } from '../tokens/bearer-token.js';
import { DualTokenService } from '../tokens/dual-token.service.js';
import { AuthTokens } from './auth-tokens.object-type.js';
import { toGraphqlAuthError } from './graphql-auth-errors.js';

/**
 * `login`, `refresh` and `logout` as GraphQL mutations, for GraphQL-first apps: the same session service, throttling,
 * events, refresh-token transport and error meanings as the REST routes (errors as GraphQL errors with
 * `extensions.code`). Add it to a module's providers next to your resolvers. With `refreshTokenCookie`, the cookie is
 * set on the GraphQL response (Express `req.res`, Mercurius `reply`) and `refresh`/`logout` read it when no argument
 * is given (with the CSRF header, as on the REST routes).
 */
@Resolver(() => AuthTokens)
export class DualTokenAuthResolver {
  constructor(
    private readonly sessions: SessionService,
    private readonly tokens: DualTokenService,
    private readonly rateLimiter: AuthRateLimiter,
    private readonly transport: RefreshTokenTransport,
    @Inject(AUTH_CONFIG) private readonly config: ResolvedAuthConfig,
  ) {}

  /** Checks username and password; starts a session. Unknown user and wrong password get the same error. */
  @Public()
  @Mutation(() => AuthTokens)
  async login(
    @Args('username', { type: () => String }) username: string,
    @Args('password', { type: () => String }) password: string,
    @Context() context: GraphqlHttpContext,
  ): Promise<AuthTokens> {
    const request = context.req;
    try {
      this.transport.assertLoginMayStartBrowserSession(request);
      const client = { ...clientMetadataOf(request), ip: this.rateLimiter.clientAddressOf(request) };
      const pair = await this.rateLimiter.throttleLogin(username, request, () => this.sessions.login(username, password, client));
      if (!pair) throw new UnauthorizedException(this.config.messages.invalidCredentials);
      return toAuthTokens(this.transport.deliver(pair, responseOf(context)));
    } catch (error) {
      throw toGraphqlAuthError(error, this.config);
    }
  }

  /** Rotates the refresh token; the presented one becomes the previous generation. */
  @Public()
  @Mutation(() => AuthTokens)
  async refresh(
    @Args('refreshToken', { type: () => String, nullable: true }) refreshToken: string | undefined,
    @Context() context: GraphqlHttpContext,
  ): Promise<AuthTokens> {
    const request = context.req;
    const response = responseOf(context);
    try {
      const token = refreshToken ?? this.transport.readCookie(request);
      if (token === undefined) throw new UnauthorizedException(this.config.messages.notLoggedIn);
      await this.rateLimiter.assertRefreshAllowed(request);
      try {
        return toAuthTokens(this.transport.deliver(await this.sessions.refresh(token), response));
      } catch (error) {
        // A rejected cookie is cleared, so the browser stops sending it (as on the REST route).
        if (error instanceof InvalidTokenError || error instanceof SessionRejectedError) this.transport.clear(response);
        throw error;
      }
    } catch (error) {
      throw toGraphqlAuthError(error, this.config);
    }
  }

  /** Revokes the current session, named by the refresh token or else by the request's access token. */
  @Public()
  @Mutation(() => Boolean)
  async logout(
    @Args('refreshToken', { type: () => String, nullable: true }) refreshToken: string | undefined,
    @Context() context: GraphqlHttpContext,
  ): Promise<boolean> {
    const request = context.req;
    try {
      const presented = refreshToken ?? this.transport.readCookie(request);
      const sessionId = presented
        ? this.tokens.verifyRefreshToken(presented).sid
        : this.tokens.verifyAccessToken(this.accessTokenOf(request)).sid;
      this.transport.clear(responseOf(context));
      return await this.sessions.revoke(sessionId, 'logout');
    } catch (error) {
      throw toGraphqlAuthError(error, this.config);
    }
  }

  private accessTokenOf(request: HttpRequestLike): string {
    const token = extractBearerToken(request?.headers?.authorization);
    if (!token) throw new UnauthorizedException(this.config.messages.notLoggedIn);
    return token;
  }
}

/** A GraphQL context over HTTP: `req` on both drivers, Mercurius's `reply`, or Express's `req.res`. */
interface GraphqlHttpContext {
  req: HttpRequestLike;
  reply?: unknown;
  res?: unknown;
}

/** Where response headers (the cookie, `Cache-Control`) go: Mercurius's reply, or the Express response. */
function responseOf(context: GraphqlHttpContext): unknown {
  return context.reply ?? context.res ?? (context.req as { res?: unknown }).res;
}

function toAuthTokens(pair: TokenResponseBody): AuthTokens {
  return {
    accessToken: pair.access_token,
    refreshToken: pair.refresh_token ?? null,
    tokenType: pair.token_type,
    expiresIn: pair.expires_in,
    refreshExpiresIn: pair.refresh_expires_in,
  };
}
