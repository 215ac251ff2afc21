import { type DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DualTokenAuthModule } from 'nestjs-dual-token-auth';
import { TypeOrmSessionStore } from 'nestjs-dual-token-auth/typeorm';
import { DataSource } from 'typeorm';
import { AppController } from './app.controller.js';
import { SAMPLE_CONFIG, type SampleConfig } from './config/sample-config.js';
import { databaseOptions } from './database/database-options.js';
import { DemoModule } from './demo/demo.module.js';
import { UserModule } from './user/user.module.js';
import { UserService } from './user/user.service.js';

@Global()
@Module({})
class SampleConfigModule {
  static forRoot(config: SampleConfig): DynamicModule {
    return {
      module: SampleConfigModule,
      providers: [{ provide: SAMPLE_CONFIG, useValue: config }],
      exports: [SAMPLE_CONFIG],
    };
  }
}

const auditLogger = new Logger('AuthAudit');

/** The tutorial's app, with authentication delegated to nestjs-dual-token-auth. */
@Module({})
export class AppModule {
  static forRoot(config: SampleConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        SampleConfigModule.forRoot(config),
        TypeOrmModule.forRoot(databaseOptions(config)),
        UserModule,
        DualTokenAuthModule.forRootAsync({
          isGlobal: true,
          routePrefix: 'user',
          allowRefreshTokenInQuery: true, // the tutorial's GET /user/refresh?refresh_token=
          imports: [UserModule],
          inject: [UserService, DataSource],
          useFactory: (users: UserService, dataSource: DataSource) => ({
            accessToken: { secret: config.jwtAccessSecret, expiresIn: config.jwtAccessExpiresIn },
            refreshToken: { secret: config.jwtRefreshSecret, expiresIn: config.jwtRefreshExpiresIn },
            userLookup: users,
            sessionStore: new TypeOrmSessionStore(dataSource),
            reuseGraceSeconds: config.refreshReuseGraceSeconds,
            sessionMaxAge: config.sessionMaxAge,
            rejectRevokedAccessTokens: true, // in the sample, logout means logout
            revocationCheckCacheSeconds: config.revocationCheckCacheSeconds,
            production: config.production,
            rateLimit: config.rateLimit,
            refreshTokenCookie: config.refreshTokenCookie ? { secure: config.cookieSecure } : false,
            // Audit trail: every login, refresh, reuse detection and revocation, without tokens or passwords.
            onEvent: (event) => auditLogger.log(JSON.stringify(event)),
            messages: {
              notLoggedIn: '用户未登录',
              tokenInvalid: 'token 失效，请重新登录',
              invalidCredentials: '用户名或密码错误',
            },
          }),
        }),
        DemoModule,
      ],
      controllers: [AppController],
    };
  }
}
