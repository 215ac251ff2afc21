import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AUTH_REGISTRATION, resolveRegistration, routeBasePath } from './config/registration-options.js';
import { AUTH_CONFIG, type ResolvedAuthConfig } from './config/resolved-auth-config.js';
import {
  DUAL_TOKEN_AUTH_ASYNC_OPTIONS_TYPE,
  DUAL_TOKEN_AUTH_OPTIONS_TYPE,
  DualTokenAuthConfigurableModule,
} from './dual-token-auth.module-definition.js';
import {
  authConfigProvider,
  rateLimitStoreProvider,
  sessionRevocationBusProvider,
  sessionStoreProvider,
  userLookupProvider,
} from './dual-token-auth.providers.js';
import { AuthorizationGuard } from './authorization/authorization.guard.js';
import { AuthEventPublisher } from './events/auth-event-publisher.js';
import { AccessTokenGuard } from './guards/access-token.guard.js';
import { createAuthController } from './http/dual-token-auth.controller.js';
import { ExpressRequestUserReservation } from './platform/express-request-user-reservation.js';
import { FastifyRequestUserReservation } from './platform/fastify-request-user-reservation.js';
import { createJwksController } from './http/jwks.controller.js';
import { RefreshTokenTransport } from './http/refresh-token-transport.js';
import type { DualTokenAuthRegistrationOptions } from './interfaces/dual-token-auth-options.interface.js';
import { SESSION_STORE } from './interfaces/session-store.interface.js';
import { USER_LOOKUP } from './interfaces/user-lookup.interface.js';
import { AuthRateLimiter } from './rate-limiting/auth-rate-limiter.js';
import { ClientAddressResolver } from './rate-limiting/client-address.resolver.js';
import { ExpiredSessionPurger } from './sessions/expired-session-purger.js';
import { SessionRevocationCheck } from './sessions/session-revocation-check.js';
import { SessionStoreReadiness } from './sessions/session-store-readiness.js';
import { SessionTokenIssuer } from './sessions/session-token-issuer.js';
import { SessionService } from './sessions/session.service.js';
import { DualTokenService } from './tokens/dual-token.service.js';

/**
 * Access-token + refresh-token authentication: `DualTokenAuthModule.forRoot({...})` or `.forRootAsync({ imports,
 * inject, useFactory })`. Provides and exports `DualTokenService`, `SessionService`, `AccessTokenGuard` and the
 * `SESSION_STORE` / `USER_LOOKUP` tokens, and registers the login/refresh/logout/sessions routes unless
 * `registerController: false`.
 */
@Module({})
export class DualTokenAuthModule extends DualTokenAuthConfigurableModule {
  static override forRoot(options: typeof DUAL_TOKEN_AUTH_OPTIONS_TYPE): DynamicModule {
    return DualTokenAuthModule.withFeatures(super.forRoot(options), options);
  }

  static override forRootAsync(options: typeof DUAL_TOKEN_AUTH_ASYNC_OPTIONS_TYPE): DynamicModule {
    return DualTokenAuthModule.withFeatures(super.forRootAsync(options), options);
  }

  /** Adds what every registration has (services, guard) and what its registration settings ask for (routes, global guard). */
  private static withFeatures(base: DynamicModule, extras: DualTokenAuthRegistrationOptions): DynamicModule {
    const registration = resolveRegistration(extras);
    const providers: Provider[] = [
      ...(base.providers ?? []),
      { provide: AUTH_REGISTRATION, useValue: registration },
      authConfigProvider,
      userLookupProvider,
      sessionStoreProvider,
      sessionRevocationBusProvider,
      rateLimitStoreProvider,
      DualTokenService,
      AuthEventPublisher,
      SessionTokenIssuer,
      SessionRevocationCheck,
      ExpiredSessionPurger,
      SessionStoreReadiness,
      SessionService,
      ClientAddressResolver,
      AuthRateLimiter,
      AccessTokenGuard,
      AuthorizationGuard,
      {
        provide: RefreshTokenTransport,
        useFactory: (config: ResolvedAuthConfig, settings: typeof registration) =>
          new RefreshTokenTransport(config.refreshTokenCookie, routeBasePath(settings)),
        inject: [AUTH_CONFIG, AUTH_REGISTRATION],
      },
    ];
    if (registration.globalGuard) providers.push({ provide: APP_GUARD, useExisting: AccessTokenGuard });
    if (registration.reserveRequestUserProperty) providers.push(ExpressRequestUserReservation, FastifyRequestUserReservation);
    return {
      ...base,
      controllers: [
        ...(registration.registerController ? [createAuthController(registration)] : []),
        ...(registration.jwksPath ? [createJwksController(registration.jwksPath)] : []),
      ],
      providers,
      // AUTH_CONFIG and the session parts are exported because AccessTokenGuard, used in importing modules'
      // `@UseGuards`, is instantiated there and injects them.
      exports: [
        DualTokenService,
        SessionService,
        AccessTokenGuard,
        AuthorizationGuard,
        USER_LOOKUP,
        SESSION_STORE,
        AUTH_CONFIG,
        SessionRevocationCheck,
        // For the GraphQL auth resolver (nestjs-dual-token-auth/graphql), which throttles and delivers like the REST routes.
        AuthRateLimiter,
        RefreshTokenTransport,
      ],
    };
  }
}
