import { Logger } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { EnvironmentVariables } from './environment-variables.js';
import { SampleConfigError } from './sample-config.error.js';

// Development-only defaults: long enough to pass the library's strength check, loudly announced, refused in production.
const DEVELOPMENT_SECRETS = {
  JWT_ACCESS_SECRET: 'dev-only-access-secret-change-me-0123456789abcdef',
  JWT_REFRESH_SECRET: 'dev-only-refresh-secret-change-me-0123456789abcdef',
} as const;

/**
 * `ConfigModule.forRoot({ validate })`: reads the variables into {@link EnvironmentVariables}, applies its defaults and
 * checks them, and throws one {@link SampleConfigError} listing every unusable variable by name.
 */
export function validateEnvironment(variables: Record<string, unknown>): EnvironmentVariables {
  // An empty variable (`PORT=`) means unset, like the shell's `${PORT:-3000}`: the default applies.
  const given = Object.fromEntries(Object.entries(variables).filter(([, value]) => value !== undefined && value !== ''));
  const env = plainToInstance(EnvironmentVariables, given);
  const problems = validateSync(env).flatMap((error) => Object.values(error.constraints ?? {}).slice(0, 1));
  if (problems.length > 0) throw new SampleConfigError(problems.join('; '));

  for (const [name, secret] of Object.entries(DEVELOPMENT_SECRETS) as [keyof typeof DEVELOPMENT_SECRETS, string][]) {
    if (env[name] !== undefined) continue;
    new Logger('SampleConfig').warn(
      `!!! ${name} is not set: using a built-in DEVELOPMENT secret. Never run like this in production. !!!`,
    );
    env[name] = secret;
  }
  return env;
}
