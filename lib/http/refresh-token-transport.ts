import { BadRequestException, ForbiddenException } from '@nestjs/common';
import { serialize } from 'cookie';
import type { ResolvedRefreshTokenCookie } from '../config/resolved-auth-config.js';
import type { TokenPairResponse, TokenResponseBody } from '../interfaces/token-response.interface.js';
import { setResponseHeader, type HttpRequestLike } from '../platform/request-adapter.js';

/**
 * How the refresh token travels between server and browser: in the JSON body (default), or in an `HttpOnly` cookie
 * (option `refreshTokenCookie`), where page scripts cannot read it. Reading the `Cookie` header here keeps the library
 * independent of cookie-parser / @fastify/cookie being installed; writing uses the maintained `cookie` package.
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

  /**
   * The answer body for an issued pair; in cookie transport also sets the cookie and keeps the token out of the body.
   * Token answers must never be stored by a cache (RFC 6749 §5.1).
   */
  deliver(pair: TokenPairResponse, response: unknown): TokenResponseBody {
    forbidCaching(response);
    if (!this.cookie) return pair;
    this.setCookie(response, pair.refresh_token, pair.refresh_expires_in);
    if (this.cookie.includeInBody) return pair;
    const { refresh_token: _inCookie, ...body } = pair;
    return body;
  }

  /**
   * The pair in the body and no cookie, whatever the transport: for `GET <prefix>/refresh?refresh_token=`, which a
   * plain link can trigger, so it must never be able to plant a cookie in a victim's browser.
   */
  deliverInBody(pair: TokenPairResponse, response: unknown): TokenResponseBody {
    forbidCaching(response);
    return pair;
  }

  /**
   * In cookie transport, a login answer plants a session in the browser, so a cross-site form must not be able to
   * trigger one (login CSRF: the victim would be signed in to the attacker's account). Allowed: the CSRF header, or a
   * JSON body (a cross-site page can only send JSON after a CORS preflight your policy allows) from a request the
   * browser does not label `Sec-Fetch-Site: cross-site`. Body transport sets no cookie and needs no check.
   */
  assertLoginMayStartBrowserSession(request: HttpRequestLike): void {
    if (!this.cookie || hasHeader(request, this.cookie.csrfHeaderName)) return;
    const contentType = request.headers['content-type'];
    const isJson = typeof contentType === 'string' && /^application\/json\s*(;|$)/i.test(contentType);
    if (isJson && request.headers['sec-fetch-site'] !== 'cross-site') return;
    throw new ForbiddenException(
      `With the refresh token in a cookie, login needs a JSON body from the same site or the ${this.cookie.csrfHeaderName} header`,
    );
  }

  /**
   * The refresh token of the cookie, after checking the CSRF header (403 without it); `undefined` when cookie transport
   * is off or the request has no such cookie. Two cookies of that name (one may have been planted by a sibling
   * subdomain, which the `__Host-` prefix prevents) are refused rather than letting either win silently.
   */
  readCookie(request: HttpRequestLike): string | undefined {
    if (!this.cookie) return undefined;
    const values = cookieValues(request.headers.cookie, this.cookie.name);
    if (values.length === 0) return undefined;
    if (values.length > 1) {
      throw new BadRequestException(
        `Several ${this.cookie.name} cookies arrived; only one may be sent (a cookie name with the __Host- prefix cannot be planted by another subdomain)`,
      );
    }
    if (!hasHeader(request, this.cookie.csrfHeaderName)) {
      throw new ForbiddenException(`The ${this.cookie.csrfHeaderName} header is required when the refresh token comes from a cookie`);
    }
    return values[0];
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

function forbidCaching(response: unknown): void {
  setResponseHeader(response, 'Cache-Control', 'no-store');
  setResponseHeader(response, 'Pragma', 'no-cache');
}

function hasHeader(request: HttpRequestLike, name: string): boolean {
  const value = request.headers[name];
  return typeof value === 'string' && value.length > 0;
}

/** Every non-empty value of the named cookie in a `Cookie` header, in order (percent-decoded like `cookie.parse`). */
function cookieValues(header: string | string[] | undefined, name: string): string[] {
  if (typeof header !== 'string' || header.length === 0) return [];
  const values: string[] = [];
  for (const pair of header.split(';')) {
    const separator = pair.indexOf('=');
    if (separator < 0 || pair.slice(0, separator).trim() !== name) continue;
    let value = pair.slice(separator + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (value.length === 0) continue;
    try {
      values.push(decodeURIComponent(value));
    } catch {
      values.push(value);
    }
  }
  return values;
}
