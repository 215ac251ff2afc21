import { Body, Controller, Get, Post, UseGuards } from '@nestjs/common';
import { AccessTokenGuard, CurrentUser, type AccessTokenPayload } from 'nestjs-dual-token-auth';
import { RegisterUserDto } from './dto/register-user.dto.js';
import { RegistrationThrottleGuard } from './registration-throttle.guard.js';
import { UserService, type UserView } from './user.service.js';

/** Routes of the sample that sit next to the library's `/user/login` and `/user/refresh`. */
@Controller('user')
export class UserController {
  constructor(private readonly users: UserService) {}

  @UseGuards(RegistrationThrottleGuard)
  @Post('register')
  register(@Body() body: RegisterUserDto): Promise<UserView> {
    return this.users.register(body.username, body.password);
  }

  @UseGuards(AccessTokenGuard)
  @Get('me')
  me(@CurrentUser('userId') id: number, @CurrentUser('username') username: string): UserView {
    return { id, username };
  }
}
