import { Controller, Get, UseGuards } from '@nestjs/common';
import { AccessTokenGuard } from 'nestjs-dual-token-auth';

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
}
