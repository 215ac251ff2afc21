import { ForbiddenException } from '@nestjs/common';
import { parse, serialize } from 'cookie';
import type { ResolvedRefreshTokenCookie } from '../config/resolved-auth-config.js';
import type { TokenPairResponse, TokenResponseBody } from '../interfaces/token-response.interface.js';
import { setResponseHeader, type HttpRequestLike } from '../platform/request-adapter.js';

/**
 * How the refresh token travels between server and browser: in the JSON body (default), or in an `HttpOnly` cookie
 * (option `refreshTokenCookie`), where page scripts cannot read it. Parsing the `Cookie` header here, with the
 * maintained `cookie` package, keeps the library independent of cookie-parser / @fastify/cookie being installed.
 */
export class RefreshTokenTransport {
  constructor(
    /** Cookie settings, or `false` for body transport. */
    private readonly cookie: ResolvedRefreshTokenCookie | false,
    /** Cookie path used when the settings give none: the route prefix, so the cookie only goes to the auth routes. */
    private readonly defaultCookiePath: string,
  ) {}

  /** Whether the refresh token travels in a cookie. */
  get usesCookie(): boolean {
    return this.cookie !== false;
  }

  /** The answer body for an issued pair; in cookie transport also sets the cookie and keeps the token out of the body. */
  deliver(pair: TokenPairResponse, response: unknown): TokenResponseBody {
    if (!this.cookie) return pair;
    this.setCookie(response, pair.refresh_token, pair.refresh_expires_in);
    if (this.cookie.includeInBody) return pair;
    const { refresh_token: _inCookie, ...body } = pair;
    return body;
  }

  /**
   * The refresh token of the cookie, after checking the CSRF header (403 without it); `undefined` when cookie transport
   * is off or the request has no such cookie.
   */
  readCookie(request: HttpRequestLike): string | undefined {
    if (!this.cookie) return undefined;
    const header = request.headers.cookie;
    if (typeof header !== 'string' || header.length === 0) return undefined;
    const token = parse(header)[this.cookie.name];
    if (!token) return undefined;
    const csrf = request.headers[this.cookie.csrfHeaderName];
    if (typeof csrf !== 'string' || csrf.length === 0) {
      throw new ForbiddenException(`The ${this.cookie.csrfHeaderName} header is required when the refresh token comes from a cookie`);
    }
    return token;
  }

  /** Expires the cookie (logout, rejected refresh); nothing in body transport. */
  clear(response: unknown): void {
    if (this.cookie) this.setCookie(response, '', 0);
  }

  private setCookie(response: unknown, value: string, maxAgeSeconds: number): void {
    const cookie = this.cookie as ResolvedRefreshTokenCookie;
    const attributes = {
      httpOnly: true,
      secure: cookie.secure,
      sameSite: cookie.sameSite,
      path: cookie.path ?? this.defaultCookiePath,
      domain: cookie.domain,
      maxAge: maxAgeSeconds,
    } as const;
    setResponseHeader(response, 'Set-Cookie', serialize(cookie.name, value, attributes));
  }
}
