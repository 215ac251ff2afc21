import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PasswordHasher } from '../password/password-hasher.js';
import { DemoUserSeeder } from './demo-user.seeder.js';
import { UserController } from './user.controller.js';
import { User } from './user.entity.js';
import { UserService } from './user.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([User])],
  controllers: [UserController],
  providers: [UserService, PasswordHasher, DemoUserSeeder],
  exports: [UserService],
})
export class UserModule {}
