import { InvalidAuthConfigurationError } from '../exceptions/invalid-auth-configuration.error.js';
import type { DualTokenAuthRegistrationOptions } from '../interfaces/dual-token-auth-options.interface.js';

/** Injection token of the resolved registration settings (internal). */
export const AUTH_REGISTRATION = Symbol('DUAL_TOKEN_AUTH:REGISTRATION');

/** Registration settings unless the `forRoot`/`forRootAsync` call gives them. */
export const REGISTRATION_DEFAULTS: Required<DualTokenAuthRegistrationOptions> = {
  isGlobal: false,
  routePrefix: 'user',
  registerController: true,
  globalGuard: false,
  allowRefreshTokenInQuery: false,
  jwksPath: false,
  reserveRequestUserProperty: true,
};

/** The registration settings with defaults applied; refuses a route prefix that is not a path. */
export function resolveRegistration(extras: DualTokenAuthRegistrationOptions): Required<DualTokenAuthRegistrationOptions> {
  const registration = { ...REGISTRATION_DEFAULTS };
  for (const key of Object.keys(REGISTRATION_DEFAULTS) as (keyof DualTokenAuthRegistrationOptions)[]) {
    if (extras[key] !== undefined) (registration as Record<string, unknown>)[key] = extras[key];
  }
  if (typeof registration.routePrefix !== 'string' || /[?#\s]/.test(registration.routePrefix)) {
    throw new InvalidAuthConfigurationError(`routePrefix must be a URL path segment such as 'user' or 'auth', got ${JSON.stringify(registration.routePrefix)}`);
  }
  return registration;
}

/** The path the routes live under (`'user'` → `'/user'`): the default refresh-token cookie path. */
export function routeBasePath(registration: Required<DualTokenAuthRegistrationOptions>): string {
  return `/${registration.routePrefix.replace(/^\/+|\/+$/g, '')}`;
}
