import { Module, type DynamicModule } from '@nestjs/common';
import { LedgerMetrics } from './ledger-metrics.js';
import { MetricsController } from './metrics.controller.js';

/**
 * GET /metrics, served from the given LedgerMetrics: create-app hands the same object the HTTP
 * hook, and AppModule attaches it to the ledger.
 */
@Module({})
export class ObservabilityModule {
  static forRoot(metrics: LedgerMetrics): DynamicModule {
    return {
      module: ObservabilityModule,
      controllers: [MetricsController],
      providers: [{ provide: LedgerMetrics, useValue: metrics }],
      exports: [LedgerMetrics],
    };
  }
}
