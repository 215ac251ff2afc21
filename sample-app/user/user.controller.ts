import { Body, Controller, Get, HttpCode, Post, UnauthorizedException, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, CurrentUser, RequireRecentLogin, SessionService, type AccessTokenPayload } from 'nestjs-dual-token-auth';
import { ChangePasswordDto } from './dto/change-password.dto.js';
import { RegisterUserDto } from './dto/register-user.dto.js';
import { RegistrationThrottleGuard } from './registration-throttle.guard.js';
import { UserService, type UserView } from './user.service.js';

/** Routes of the sample that sit next to the library's `/user/login` and `/user/refresh`. */
@Controller('user')
export class UserController {
  constructor(
    private readonly users: UserService,
    private readonly sessions: SessionService,
  ) {}

  @UseGuards(RegistrationThrottleGuard)
  @Post('register')
  register(@Body() body: RegisterUserDto): Promise<UserView> {
    return this.users.register(body.username, body.password);
  }

  /**
   * Changes the password and signs out every other device (a stolen session must not survive the change); the
   * current session stays. Needs a login (or `POST /user/reauthenticate`) within the last five minutes.
   */
  @RequireRecentLogin('5m')
  @Post('password')
  @HttpCode(200)
  async changePassword(@CurrentUser() user: AccessTokenPayload, @Body() body: ChangePasswordDto): Promise<{ revokedSessions: number }> {
    if (!(await this.users.changePassword(Number(user.userId), body.current_password, body.new_password))) {
      throw new UnauthorizedException('current_password is wrong');
    }
    return { revokedSessions: await this.sessions.revokeAllForUser(user.sub, { except: user.sid }) };
  }

  @UseGuards(AccessTokenGuard)
  @Get('me')
  me(@CurrentUser('userId') id: number, @CurrentUser('username') username: string): UserView {
    return { id, username };
  }
}
