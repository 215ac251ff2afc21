import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AuthValidationPipe } from 'nestjs-dual-token-auth';
import { NestFactory } from '@nestjs/core';
import { serveApiDocs } from './api-docs.js';
import { AppModule } from './app.module.js';

/**
 * Builds the configured (not yet listening) sample app from environment variables; shared by `main.ts` and the e2e
 * tests. Rejects with a `SampleConfigError` naming the variable when one is unusable.
 */
export async function createSampleApp(
  env: NodeJS.ProcessEnv = process.env,
  options: { logger?: false } = {},
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(await AppModule.forRoot(env), { logger: options.logger });
  app.enableCors();
  // Express's own request.ip (used by the registration throttle) follows the same proxies as the library's limits.
  if (env.TRUST_PROXY) app.set('trust proxy', /^\d+$/.test(env.TRUST_PROXY) ? Number(env.TRUST_PROXY) : env.TRUST_PROXY.split(',').map((entry) => entry.trim()));
  // Like Nest's ValidationPipe (whitelist), plus a bound on body nesting that class-transformer cannot survive.
  app.useGlobalPipes(new AuthValidationPipe());
  serveApiDocs(app);
  app.enableShutdownHooks();
  return app;
}
