import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { EnvironmentVariables } from '../config/environment-variables.js';
import { UserService } from './user.service.js';

/** The tutorial's demo account. */
export const DEMO_USER = { username: 'guang', password: '123456' } as const;

/** Creates `guang` / `123456` on startup when missing, unless `SEED_DEMO_USER=false`. */
@Injectable()
export class DemoUserSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('DemoUserSeeder');

  constructor(
    private readonly users: UserService,
    private readonly config: ConfigService<EnvironmentVariables, true>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.get('SEED_DEMO_USER', { infer: true })) return;
    await this.users.ensureUser(DEMO_USER.username, DEMO_USER.password);
    this.logger.log(`Demo user '${DEMO_USER.username}' is available`);
  }
}
