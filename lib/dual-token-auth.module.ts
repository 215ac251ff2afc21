import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { createAuthController } from './controllers/create-auth-controller.js';
import { createJwksController } from './controllers/create-jwks-controller.js';
import {
  DUAL_TOKEN_AUTH_ASYNC_OPTIONS_TYPE,
  DUAL_TOKEN_AUTH_OPTIONS,
  DUAL_TOKEN_AUTH_OPTIONS_TYPE,
  DualTokenAuthConfigurableModule,
  REGISTRATION_DEFAULTS,
} from './dual-token-auth.module-definition.js';
import { RESOLVED_AUTH_CONFIG } from './dual-token-auth.internal-constants.js';
import { InvalidAuthConfigurationError } from './exceptions/invalid-auth-configuration.error.js';
import { AccessTokenGuard } from './guards/access-token.guard.js';
import type { DualTokenAuthRegistrationOptions } from './interfaces/dual-token-auth-options.interface.js';
import { SESSION_STORE } from './interfaces/session-store.interface.js';
import { USER_LOOKUP } from './interfaces/user-lookup.interface.js';
import { AuthEventPublisher } from './services/auth-event-publisher.js';
import { AuthRateLimiter } from './services/auth-rate-limiter.js';
import { DualTokenService } from './services/dual-token.service.js';
import { ExpressRequestUserReservation } from './services/express-request-user-reservation.js';
import { SessionService } from './services/session.service.js';
import { resolveAuthConfig, type ResolvedAuthConfig } from './utils/resolve-auth-config.js';

/**
 * Access-token + refresh-token authentication: `DualTokenAuthModule.forRoot({...})` or `.forRootAsync({ imports,
 * inject, useFactory })`. Provides and exports `DualTokenService`, `SessionService` and `AccessTokenGuard`, and
 * registers the login/refresh/logout/sessions routes unless `registerController: false`.
 */
@Module({})
export class DualTokenAuthModule extends DualTokenAuthConfigurableModule {
  static override forRoot(options: typeof DUAL_TOKEN_AUTH_OPTIONS_TYPE): DynamicModule {
    return DualTokenAuthModule.addFeatures(super.forRoot(options), options);
  }

  static override forRootAsync(options: typeof DUAL_TOKEN_AUTH_ASYNC_OPTIONS_TYPE): DynamicModule {
    return DualTokenAuthModule.addFeatures(super.forRootAsync(options), options);
  }

  private static addFeatures(base: DynamicModule, extras: DualTokenAuthRegistrationOptions): DynamicModule {
    const registration = resolveRegistration(extras);
    const providers: Provider[] = [
      ...(base.providers ?? []),
      { provide: RESOLVED_AUTH_CONFIG, useFactory: resolveAuthConfig, inject: [DUAL_TOKEN_AUTH_OPTIONS] },
      { provide: USER_LOOKUP, useFactory: (c: ResolvedAuthConfig) => c.userLookup, inject: [RESOLVED_AUTH_CONFIG] },
      { provide: SESSION_STORE, useFactory: (c: ResolvedAuthConfig) => c.sessionStore, inject: [RESOLVED_AUTH_CONFIG] },
      DualTokenService,
      SessionService,
      AccessTokenGuard,
      AuthEventPublisher,
      AuthRateLimiter,
    ];
    if (registration.globalGuard) providers.push({ provide: APP_GUARD, useExisting: AccessTokenGuard });
    if (registration.reserveRequestUserProperty) providers.push(ExpressRequestUserReservation);
    return {
      ...base,
      controllers: [
        ...(registration.registerController ? [createAuthController(registration)] : []),
        ...(registration.jwksPath ? [createJwksController(registration.jwksPath)] : []),
      ],
      providers,
      exports: [
        DualTokenService,
        SessionService,
        AccessTokenGuard,
        USER_LOOKUP,
        SESSION_STORE,
        RESOLVED_AUTH_CONFIG,
      ],
    };
  }
}

function resolveRegistration(extras: DualTokenAuthRegistrationOptions): Required<DualTokenAuthRegistrationOptions> {
  const registration = { ...REGISTRATION_DEFAULTS };
  for (const key of Object.keys(REGISTRATION_DEFAULTS) as (keyof DualTokenAuthRegistrationOptions)[]) {
    if (extras[key] !== undefined) (registration as Record<string, unknown>)[key] = extras[key];
  }
  if (typeof registration.routePrefix !== 'string' || /[?#\s]/.test(registration.routePrefix)) {
    throw new InvalidAuthConfigurationError(`routePrefix must be a URL path segment such as 'user' or 'auth', got ${JSON.stringify(registration.routePrefix)}`);
  }
  return registration;
}
