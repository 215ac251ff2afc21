import { Logger } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { dirname } from 'node:path';
import { loadOrCreateDevelopmentSecrets } from './development-secrets.js';
import { EnvironmentVariables } from './environment-variables.js';
import { SampleConfigError } from './sample-config.error.js';


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

  // Outside production (production requires both, checked above): generated once and kept in the data folder.
  const missing = (['JWT_ACCESS_SECRET', 'JWT_REFRESH_SECRET'] as const).filter((name) => env[name] === undefined);
  if (missing.length > 0) {
    const { secrets, path } = loadOrCreateDevelopmentSecrets(dirname(env.SQLITE_PATH));
    for (const name of missing) {
      new Logger('SampleConfig').warn(
        `!!! ${name} is not set: using a generated DEVELOPMENT secret kept in ${path}. Never run like this in production. !!!`,
      );
      env[name] = secrets[name];
    }
  }
  return env;
}
