import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadSampleConfig, SampleConfigError } from './config/sample-config.js';
import { createSampleApp } from './create-sample-app.js';

async function bootstrap(): Promise<void> {
  const config = loadSampleConfig(process.env);
  const app = await createSampleApp(config);
  await app.listen(config.port);
  new Logger('SampleApp').log(`Listening on http://localhost:${config.port} (${config.databaseUrl ? 'MySQL' : `SQLite file ${config.sqlitePath}`})`);
}

bootstrap().catch((error: unknown) => {
  // Configuration mistakes get one clear line instead of a stack trace.
  const message = error instanceof SampleConfigError || (error as Error)?.name === 'InvalidAuthConfigurationError'
    ? (error as Error).message
    : (error as Error)?.stack ?? String(error);
  console.error(`Sample app failed to start: ${message}`);
  process.exit(1);
});
