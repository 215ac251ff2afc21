import { type INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import type { SampleConfig } from './config/sample-config.js';

/** Builds the configured (not yet listening) sample app; shared by `main.ts` and the e2e tests. */
export async function createSampleApp(config: SampleConfig, logger: false | undefined = undefined): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(config), { logger: logger === false ? false : undefined });
  app.enableCors();
  app.useGlobalPipes(new ValidationPipe({ whitelist: true }));
  app.enableShutdownHooks();
  return app;
}
