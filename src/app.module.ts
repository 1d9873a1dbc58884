import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE, RouterModule } from '@nestjs/core';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter';
import { createValidationPipe } from './common/http/validation.pipe';
import { NoBodyInterceptor } from './common/input/no-body.interceptor';
import { HealthModule } from './health/health.module';
import { SetupModule } from './setup/setup.module';
import { AccessModule } from './access/access.module';
import { AuthGuard } from './auth/auth.guard';
import { AuthModule } from './auth/auth.module';
import { ContentModule } from './content/content.module';
import { EngagementsModule } from './engagements/engagements.module';
import { MunicipalitiesModule } from './municipalities/municipalities.module';
import { OrganizationsModule } from './organizations/organizations.module';
import { SessionsModule } from './sessions/sessions.module';
import { UsersModule } from './users/users.module';
import { WorkersModule } from './workers/workers.module';
import { TrainingModule } from './training/training.module';
import { CertificatesModule, WellKnownModule } from './certificates/certificates.module';
import { AuditModule } from './audit/audit.module';
import { ReportsModule } from './reports/reports.module';
import { WebModule } from './web/web.module';
import { SystemModule } from './system/system.module';
import { ItemAnalysisModule } from './item-analysis/item-analysis.module';
import { MailModule, RemindersModule } from './mail/mail.module';
import { CloseOutModule } from './close-out/close-out.module';

/** Feature modules whose controllers form the JSON API under /api/v1. */
const API_MODULES: Type[] = [
  AuthModule,
  UsersModule,
  MunicipalitiesModule,
  OrganizationsModule,
  EngagementsModule,
  WorkersModule,
  ContentModule,
  TrainingModule,
  CertificatesModule,
  AuditModule,
  ReportsModule,
  SystemModule,
  ItemAnalysisModule,
  RemindersModule,
  CloseOutModule,
];

/**
 * Modules served at the root: health, the documents credentials point to, and every page (src/web/,
 * which imports the services of the API modules). Page controllers live in src/web/ only.
 */
const ROOT_MODULES: Type[] = [HealthModule, SetupModule, WellKnownModule, WebModule];

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        SessionsModule,
        AccessModule,
        MailModule,
        ...API_MODULES,
        ...ROOT_MODULES,
        RouterModule.register(API_MODULES.map((module) => ({ path: 'api/v1', module }))),
      ],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_INTERCEPTOR, useClass: NoBodyInterceptor },
      ],
    };
  }
}
