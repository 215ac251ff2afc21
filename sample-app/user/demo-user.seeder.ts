import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { EnvironmentVariables } from '../config/environment-variables.js';
import { UserService } from './user.service.js';

/** The tutorial's demo account. */
export const DEMO_USER = { username: 'guang', password: '123456' } as const;

/** The demo administrator's name (`SEED_DEMO_ADMIN=true`, password from `DEMO_ADMIN_PASSWORD`). */
export const DEMO_ADMIN_USERNAME = 'admin';

/**
 * Creates `guang` / `123456` on startup when missing, unless `SEED_DEMO_USER=false`; with `SEED_DEMO_ADMIN=true` also
 * `admin` with the role `admin`.
 */
@Injectable()
export class DemoUserSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('DemoUserSeeder');

  constructor(
    private readonly users: UserService,
    private readonly config: ConfigService<EnvironmentVariables, true>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.get('SEED_DEMO_USER', { infer: true })) {
      await this.users.ensureUser(DEMO_USER.username, DEMO_USER.password);
      this.logger.log(`Demo user '${DEMO_USER.username}' is available`);
    }
    if (this.config.get('SEED_DEMO_ADMIN', { infer: true })) {
      await this.users.ensureUser(DEMO_ADMIN_USERNAME, this.config.get('DEMO_ADMIN_PASSWORD', { infer: true })!, ['admin']);
      this.logger.log(`Demo administrator '${DEMO_ADMIN_USERNAME}' is available`);
    }
  }
}
