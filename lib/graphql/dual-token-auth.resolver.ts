import { Inject, UnauthorizedException } from '@nestjs/common';
import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { AUTH_CONFIG, type ResolvedAuthConfig } from '../config/resolved-auth-config.js';
import { Public } from '../decorators/public.decorator.js';
import type { TokenPairResponse } from '../interfaces/token-response.interface.js';
import { clientMetadataOf, type HttpRequestLike } from '../platform/request-adapter.js';
import { AuthRateLimiter } from '../rate-limiting/auth-rate-limiter.js';
import { SessionService } from '../sessions/session.service.js';
import { extractBearerToken } from '../tokens/bearer-token.js';
import { DualTokenService } from '../tokens/dual-token.service.js';
import { AuthTokens } from './auth-tokens.object-type.js';
import { toGraphqlAuthError } from './graphql-auth-errors.js';

/**
 * `login`, `refresh` and `logout` as GraphQL mutations, for GraphQL-first apps: the same session service, throttling,
 * events and error meanings as the REST routes (errors as GraphQL errors with `extensions.code`). Add it to a module's
 * providers next to your resolvers. The refresh token travels in the answer and the arguments (body transport); the
 * cookie transport is the REST routes' business.
 */
@Resolver(() => AuthTokens)
export class DualTokenAuthResolver {
  constructor(
    private readonly sessions: SessionService,
    private readonly tokens: DualTokenService,
    private readonly rateLimiter: AuthRateLimiter,
    @Inject(AUTH_CONFIG) private readonly config: ResolvedAuthConfig,
  ) {}

  /** Checks username and password; starts a session. Unknown user and wrong password get the same error. */
  @Public()
  @Mutation(() => AuthTokens)
  async login(
    @Args('username', { type: () => String }) username: string,
    @Args('password', { type: () => String }) password: string,
    @Context('req') request: HttpRequestLike,
  ): Promise<AuthTokens> {
    try {
      const client = { ...clientMetadataOf(request), ip: this.rateLimiter.clientAddressOf(request) };
      const pair = await this.rateLimiter.throttleLogin(username, request, () => this.sessions.login(username, password, client));
      if (!pair) throw new UnauthorizedException(this.config.messages.invalidCredentials);
      return toAuthTokens(pair);
    } catch (error) {
      throw toGraphqlAuthError(error, this.config);
    }
  }

  /** Rotates the refresh token; the presented one becomes the previous generation. */
  @Public()
  @Mutation(() => AuthTokens)
  async refresh(@Args('refreshToken', { type: () => String }) refreshToken: string, @Context('req') request: HttpRequestLike): Promise<AuthTokens> {
    try {
      await this.rateLimiter.assertRefreshAllowed(request);
      return toAuthTokens(await this.sessions.refresh(refreshToken));
    } catch (error) {
      throw toGraphqlAuthError(error, this.config);
    }
  }

  /** Revokes the current session, named by the refresh token or else by the request's access token. */
  @Public()
  @Mutation(() => Boolean)
  async logout(
    @Args('refreshToken', { type: () => String, nullable: true }) refreshToken: string | undefined,
    @Context('req') request: HttpRequestLike,
  ): Promise<boolean> {
    try {
      const sessionId = refreshToken
        ? this.tokens.verifyRefreshToken(refreshToken).sid
        : this.tokens.verifyAccessToken(this.accessTokenOf(request)).sid;
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

function toAuthTokens(pair: TokenPairResponse): AuthTokens {
  return {
    accessToken: pair.access_token,
    refreshToken: pair.refresh_token,
    tokenType: pair.token_type,
    expiresIn: pair.expires_in,
    refreshExpiresIn: pair.refresh_expires_in,
  };
}
