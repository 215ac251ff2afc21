import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { EnvironmentVariables } from './config/environment-variables.js';
import { SampleConfigError } from './config/sample-config.error.js';
import { createSampleApp } from './create-sample-app.js';

async function bootstrap(): Promise<void> {
  const app = await createSampleApp();
  const config = app.get<ConfigService<EnvironmentVariables, true>>(ConfigService);
  const port = config.get('PORT', { infer: true });
  await app.listen(port);
  const database = config.get('DATABASE_URL', { infer: true })
    ? 'MySQL'
    : `SQLite file ${config.get('SQLITE_PATH', { infer: true })}`;
  new Logger('SampleApp').log(`Listening on http://localhost:${port} (${database})`);
}

bootstrap().catch((error: unknown) => {
  // Configuration mistakes get one clear line instead of a stack trace.
  const message = error instanceof SampleConfigError || (error as Error)?.name === 'InvalidAuthConfigurationError'
    ? (error as Error).message
    : (error as Error)?.stack ?? String(error);
  console.error(`Sample app failed to start: ${message}`);
  process.exit(1);
});
