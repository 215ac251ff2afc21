import { Controller, Get, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, CurrentUser, Roles } from 'nestjs-dual-token-auth';

/** The tutorial's two routes: `/aaa` is open, `/bbb` needs an access token. */
@Controller()
export class AppController {
  @Get('aaa')
  aaa(): string {
    return 'aaa';
  }

  @UseGuards(AccessTokenGuard)
  @Get('bbb')
  bbb(): string {
    return 'bbb';
  }

  /** Administrators only: a valid token without the `admin` role (the demo user `guang`) gets 403. */
  @Roles('admin')
  @Get('admin')
  admin(@CurrentUser('username') username: string): { admin: string } {
    return { admin: username };
  }
}
