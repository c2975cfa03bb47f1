import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { LedgerConfig } from '../config.js';
import { TrailmarkModule } from '../trailmark.module.js';
import { ApiExceptionFilter } from './api-exception.filter.js';
import { BearerAuthGuard } from './auth/bearer-auth.guard.js';
import { Credentials } from './auth/credentials.js';
import { EventsController } from './events.controller.js';
import { HealthController } from './health.controller.js';
import { LogController } from './log.controller.js';
import { SearchController } from './search.controller.js';

/** The HTTP service: the ledger, its controllers, bearer credentials and the error format. */
@Module({})
export class AppModule {
  static forRoot(config: LedgerConfig, credentials: Credentials, onError?: (error: Error) => void): DynamicModule {
    return {
      module: AppModule,
      imports: [TrailmarkModule.forRoot(config, onError)],
      controllers: [SearchController, EventsController, LogController, HealthController],
      providers: [
        { provide: Credentials, useValue: credentials },
        { provide: APP_GUARD, useClass: BearerAuthGuard },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
      ],
    };
  }
}
