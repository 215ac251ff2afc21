import { type INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';

/**
 * Builds the configured (not yet listening) sample app from environment variables; shared by `main.ts` and the e2e
 * tests. Rejects with a `SampleConfigError` naming the variable when one is unusable.
 */
export async function createSampleApp(
  env: NodeJS.ProcessEnv = process.env,
  options: { logger?: false } = {},
): Promise<INestApplication> {
  const app = await NestFactory.create(await AppModule.forRoot(env), { logger: options.logger });
  app.enableCors();
  app.useGlobalPipes(new ValidationPipe({ whitelist: true }));
  app.enableShutdownHooks();
  return app;
}
