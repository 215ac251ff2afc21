import { type DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AppController } from './app.controller.js';
import { AuthModule } from './auth/auth.module.js';
import { validateEnvironment } from './config/validate-environment.js';
import { DatabaseModule } from './database/database.module.js';
import { DemoModule } from './demo/demo.module.js';
import { RealtimeModule } from './realtime/realtime.module.js';
import { RedisModule } from './redis/redis.module.js';
import { UserModule } from './user/user.module.js';

/** The tutorial's app, with authentication delegated to nestjs-dual-token-auth. */
@Module({})
export class AppModule {
  /**
   * @param env the environment variables to read: `process.env` for `npm start`, a test's own set in the e2e tests
   * (several apps with different settings run in one test process).
   *
   * Async because the configuration is validated before Nest builds anything: an unusable variable rejects this
   * promise with one message naming it, instead of surfacing as a stack trace from inside Nest's bootstrap.
   */
  static async forRoot(env: NodeJS.ProcessEnv = process.env): Promise<DynamicModule> {
    const config = await ConfigModule.forRoot({
      isGlobal: true,
      // Only the variables of the README's table, from the real environment: no .env file changes `npm start`.
      ignoreEnvFile: true,
      // `env` rather than the process.env copy ConfigModule hands to `validate`: tests run several differently
      // configured apps in one process. The validated variables (defaults applied) are then ConfigService's only
      // source, with no fallback to whatever else process.env holds.
      skipProcessEnv: true,
      validate: () => validateEnvironment(env),
    });
    return {
      module: AppModule,
      imports: [
        config,
        DatabaseModule,
        RedisModule,
        UserModule,
        AuthModule,
        DemoModule,
        // Validated above, so the adapter name is known before Nest builds anything.
        RealtimeModule.forRoot(env.HTTP_ADAPTER === 'fastify' ? 'fastify' : 'express'),
      ],
      controllers: [AppController],
    };
  }
}
