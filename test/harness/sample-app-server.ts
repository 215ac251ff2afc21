import type { INestApplication } from '@nestjs/common';
import { createSampleApp } from '../../sample-app/create-sample-app.js';

/** Secrets the tests sign forged and expired tokens with (the sample reads them from the environment like in production). */
export const TEST_ACCESS_SECRET = 'e2e-access-secret-0123456789abcdef0123456789';
export const TEST_REFRESH_SECRET = 'e2e-refresh-secret-0123456789abcdef0123456789';

/** A sample app listening on a random loopback port. */
export interface RunningSampleApp {
  app: INestApplication;
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * Starts the sample app exactly as `npm start` does (same configuration module, same bootstrap), with environment
 * variables given per test instead of read from the process.
 */
export async function startSampleApp(env: Record<string, string | undefined> = {}): Promise<RunningSampleApp> {
  const app = await createSampleApp(
    { JWT_ACCESS_SECRET: TEST_ACCESS_SECRET, JWT_REFRESH_SECRET: TEST_REFRESH_SECRET, PORT: '0', ...env },
    { logger: false },
  );
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  let closing: Promise<void> | undefined;
  return {
    app,
    baseUrl: `http://127.0.0.1:${address.port}`,
    // Idempotent, so a test may close an app early (restart scenarios) and the suite's cleanup may close it again.
    close: () => (closing ??= app.close()),
  };
}
