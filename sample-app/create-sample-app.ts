import type { INestApplication } from '@nestjs/common';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
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
  const appModule = await AppModule.forRoot(env);
  // The platform's own request.ip (used by the registration throttle) follows the same proxies as the library's limits.
  const trustProxy = env.TRUST_PROXY
    ? /^\d+$/.test(env.TRUST_PROXY) ? Number(env.TRUST_PROXY) : env.TRUST_PROXY.split(',').map((entry) => entry.trim())
    : undefined;
  let app: INestApplication;
  if (env.HTTP_ADAPTER === 'fastify') {
    // Fastify takes a hop count too; the adapter's option type only lists the other forms.
    const fastifyOptions = { trustProxy } as ConstructorParameters<typeof FastifyAdapter>[0];
    app = await NestFactory.create<NestFastifyApplication>(appModule, new FastifyAdapter(fastifyOptions), { logger: options.logger });
  } else {
    const expressApp = await NestFactory.create<NestExpressApplication>(appModule, new ExpressAdapter(), { logger: options.logger });
    if (trustProxy !== undefined) expressApp.set('trust proxy', trustProxy);
    app = expressApp;
  }
  app.enableCors();
  // Like Nest's ValidationPipe (whitelist), plus a bound on body nesting that class-transformer cannot survive.
  app.useGlobalPipes(new AuthValidationPipe());
  serveApiDocs(app);
  app.enableShutdownHooks();
  return app;
}
