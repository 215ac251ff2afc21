import { parse, serialize } from 'cookie';
import type { ResolvedAuthConfig } from './resolve-auth-config.js';
import { setResponseHeader, type HttpRequestLike } from './http-exchange.js';

type CookieSettings = Exclude<ResolvedAuthConfig['refreshTokenCookie'], false>;

/**
 * Reads, writes and clears the refresh-token cookie (cookie transport). Parsing the `Cookie` header here, with the
 * maintained `cookie` package, keeps the library independent of cookie-parser / @fastify/cookie being installed.
 */
export class RefreshTokenCookie {
  constructor(
    private readonly settings: CookieSettings,
    private readonly path: string,
  ) {}

  /** Name of the header cookie-carried requests must send. */
  get csrfHeaderName(): string {
    return this.settings.csrfHeaderName;
  }

  read(request: HttpRequestLike): string | undefined {
    const header = request.headers.cookie;
    if (typeof header !== 'string' || header.length === 0) return undefined;
    const value = parse(header)[this.settings.name];
    return value && value.length > 0 ? value : undefined;
  }

  /** Whether the request carries the CSRF header (any non-empty value). */
  hasCsrfHeader(request: HttpRequestLike): boolean {
    const value = request.headers[this.settings.csrfHeaderName];
    return typeof value === 'string' && value.length > 0;
  }

  write(response: unknown, token: string, maxAgeSeconds: number): void {
    setResponseHeader(response, 'Set-Cookie', serialize(this.settings.name, token, { ...this.attributes(), maxAge: maxAgeSeconds }));
  }

  clear(response: unknown): void {
    setResponseHeader(response, 'Set-Cookie', serialize(this.settings.name, '', { ...this.attributes(), maxAge: 0 }));
  }

  private attributes() {
    return {
      httpOnly: true,
      secure: this.settings.secure,
      sameSite: this.settings.sameSite,
      path: this.path,
      domain: this.settings.domain,
    } as const;
  }
}
