import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { EnvironmentVariables } from '../config/environment-variables.js';
import { databaseOptions } from './database-options.js';

/** The app's one TypeORM connection (MySQL, PostgreSQL or the embedded SQLite file), chosen from the validated configuration. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<EnvironmentVariables, true>) =>
        databaseOptions(config.get('DATABASE_URL', { infer: true }), config.get('SQLITE_PATH', { infer: true })),
    }),
  ],
})
export class DatabaseModule {}
