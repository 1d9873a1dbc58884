import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_FILTER, APP_PIPE, RouterModule } from '@nestjs/core';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter';
import { createValidationPipe } from './common/http/validation.pipe';
import { HealthModule } from './health/health.module';
import { SetupModule } from './setup/setup.module';

/** Feature modules whose controllers form the JSON API under /api/v1. */
const API_MODULES: Type[] = [];

/** Modules served at the root: health, pages, well-known documents. */
const ROOT_MODULES: Type[] = [HealthModule, SetupModule];

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        ...API_MODULES,
        ...ROOT_MODULES,
        RouterModule.register(API_MODULES.map((module) => ({ path: 'api/v1', module }))),
      ],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    };
  }
}
