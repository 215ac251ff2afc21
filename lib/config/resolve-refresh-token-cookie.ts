import { InvalidAuthConfigurationError } from '../exceptions/invalid-auth-configuration.error.js';
import type { RefreshTokenCookieOptions } from '../interfaces/dual-token-auth-options.interface.js';
import type { ResolvedRefreshTokenCookie } from './resolved-auth-config.js';
import { stripUndefined } from './strip-undefined.js';

/** Cookie names browsers only accept from a secure origin, for the whole host, with `Path=/` (RFC 6265bis §4.1.3.2). */
const HOST_PREFIX = '__Host-';
/** Cookie names browsers only accept with `Secure` (RFC 6265bis §4.1.3.1). */
const SECURE_PREFIX = '__Secure-';

/**
 * Applies the cookie defaults and refuses settings a browser would silently drop: `SameSite=None` without `Secure`,
 * and a `__Host-` or `__Secure-` name whose other attributes break the prefix's rules (today's browsers simply ignore
 * such a `Set-Cookie`, and the user would be logged out at the next refresh).
 */
export function resolveRefreshTokenCookie(option: RefreshTokenCookieOptions | boolean | undefined): ResolvedRefreshTokenCookie | false {
  if (!option) return false;
  const settings = option === true ? {} : option;
  const resolved: ResolvedRefreshTokenCookie = {
    name: 'refresh_token',
    sameSite: 'strict',
    secure: true,
    csrfHeaderName: 'x-csrf-protection',
    includeInBody: false,
    ...stripUndefined(settings),
  };
  if (!/^[A-Za-z0-9_-]+$/.test(resolved.name)) {
    throw new InvalidAuthConfigurationError(`refreshTokenCookie.name must be a cookie token (letters, digits, _ or -), got ${JSON.stringify(resolved.name)}`);
  }
  if (resolved.sameSite === 'none' && !resolved.secure) {
    throw new InvalidAuthConfigurationError('refreshTokenCookie.sameSite "none" requires secure: true (browsers drop such cookies)');
  }
  if (resolved.name.startsWith(HOST_PREFIX)) {
    const conflicts = [
      ...(resolved.secure ? [] : ['secure: false (the prefix requires Secure)']),
      ...(resolved.domain !== undefined ? [`domain ${JSON.stringify(resolved.domain)} (the prefix forbids Domain)`] : []),
      ...(resolved.path !== undefined && resolved.path !== '/' ? [`path ${JSON.stringify(resolved.path)} (the prefix requires Path=/)`] : []),
    ];
    if (conflicts.length > 0) {
      throw new InvalidAuthConfigurationError(
        `refreshTokenCookie.name ${JSON.stringify(resolved.name)} has the ${HOST_PREFIX} prefix, which browsers only accept ` +
          `with Secure, Path=/ and no Domain; conflicting settings: ${conflicts.join(', ')}`,
      );
    }
    resolved.path = '/';
  } else if (resolved.name.startsWith(SECURE_PREFIX) && !resolved.secure) {
    throw new InvalidAuthConfigurationError(
      `refreshTokenCookie.name ${JSON.stringify(resolved.name)} has the ${SECURE_PREFIX} prefix, which browsers only accept with secure: true`,
    );
  }
  resolved.csrfHeaderName = resolved.csrfHeaderName.toLowerCase();
  return resolved;
}
