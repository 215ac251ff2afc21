import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Argon2PasswordHasher } from 'nestjs-dual-token-auth/argon2';
import { DemoUserSeeder } from './demo-user.seeder.js';
import { RegistrationThrottleGuard } from './registration-throttle.guard.js';
import { UserController } from './user.controller.js';
import { User } from './user.entity.js';
import { UserService } from './user.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([User])],
  controllers: [UserController],
  providers: [
    UserService,
    DemoUserSeeder,
    RegistrationThrottleGuard,
    // OWASP's minimum argon2id parameters (19 MiB, t=2, p=1): ~14 ms per hash here.
    { provide: Argon2PasswordHasher, useValue: new Argon2PasswordHasher() },
  ],
  exports: [UserService],
})
export class UserModule {}
