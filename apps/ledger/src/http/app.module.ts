import { Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { LedgerConfig } from '../config.js';
import { LedgerCore } from '../core/ledger-core.js';
import { TrailmarkModule } from '../trailmark.module.js';
import { ApiExceptionFilter } from './api-exception.filter.js';
import { BearerAuthGuard } from './auth/bearer-auth.guard.js';
import { Credentials } from './auth/credentials.js';
import { EventsController } from './events.controller.js';
import { HealthController } from './health.controller.js';
import { TransparencyLogController } from './transparency-log.controller.js';
import { LedgerMetrics } from './observability/ledger-metrics.js';
import { ObservabilityModule } from './observability/observability.module.js';
import { OpenApiModule } from './openapi/openapi.module.js';
import { SearchController } from './search.controller.js';
import { ExportController } from './export.controller.js';
import { AccessController } from './access.controller.js';
import { StreamsController } from './streams.controller.js';
import { tilesControllerAt } from './tiles.controller.js';
import { AlertRulesController } from './alert-rules.controller.js';
import { AlertsController } from './alerts.controller.js';
import { MintViewerTokenHandler } from './viewer-tokens/mint-viewer-token.handler.js';
import { ViewerTokensController } from './viewer-tokens/viewer-tokens.controller.js';

/**
 * The HTTP service: the ledger, its controllers, bearer credentials and the error format, plus
 * GET /metrics (fed from `metrics`, whose HTTP hook create-app installs) and GET /openapi.json, /docs.
 */
@Module({})
export class AppModule implements OnModuleInit {
  constructor(
    private readonly core: LedgerCore,
    private readonly metrics: LedgerMetrics,
  ) {}

  static forRoot(
    config: LedgerConfig,
    credentials: Credentials,
    onError?: (error: Error) => void,
    metrics: LedgerMetrics = new LedgerMetrics(),
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [TrailmarkModule.forRoot(config, onError), ObservabilityModule.forRoot(metrics), OpenApiModule],
      controllers: [
        SearchController,
        ExportController,
        AccessController,
        StreamsController,
        EventsController,
        TransparencyLogController,
        HealthController,
        AlertsController,
        AlertRulesController,
        ViewerTokensController,
        tilesControllerAt(config.tilesPrefix, config.publicEntries),
      ],
      providers: [
        { provide: Credentials, useValue: credentials },
        { provide: APP_GUARD, useClass: BearerAuthGuard },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        MintViewerTokenHandler,
      ],
    };
  }

  /** Before the ledger starts (TrailmarkModule's onApplicationBootstrap), so its catch-up is counted too. */
  onModuleInit(): void {
    this.metrics.attach(this.core);
  }
}
