import { Inject, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CheckpointQueriesModule } from '@trailmark/checkpoint';
import { EventRecorder, IdentityEventsModule } from '@trailmark/domain';
import { ProjectionQueriesModule } from '@trailmark/projections';
import type { LedgerConfig } from './config.js';
import { LedgerCore } from './core/ledger-core.js';
import { checkpointedTreeProvider, exportableLogProvider, projectedLogProvider } from './core/ledger-ports.js';

/** Provides the one LedgerCore of the application. */
@Module({})
class LedgerCoreModule {
  static forRoot(config: LedgerConfig, onError?: (error: Error) => void): DynamicModule {
    return {
      module: LedgerCoreModule,
      providers: [{ provide: LedgerCore, useFactory: () => LedgerCore.open(config, onError) }],
      exports: [LedgerCore],
    };
  }
}

/**
 * The ledger in-process: `TrailmarkModule.forRoot(config)` opens the data dir, catches the tree up
 * with the store and publishes checkpoints; send RecordIdentityEvent / RecordIdentityEvents on the
 * CommandBus. The HTTP service is this module plus controllers.
 */
@Module({})
export class TrailmarkModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(LedgerCore) private readonly core: LedgerCore) {}

  static forRoot(config: LedgerConfig, onError?: (error: Error) => void): DynamicModule {
    const core = LedgerCoreModule.forRoot(config, onError);
    const recorder = { provide: EventRecorder, useFactory: (ledger: LedgerCore) => ledger.recorder, inject: [LedgerCore] };
    return {
      module: TrailmarkModule,
      imports: [
        core,
        IdentityEventsModule.register(recorder, [core]),
        ProjectionQueriesModule.register({ log: projectedLogProvider, exportable: exportableLogProvider }, [core]),
        CheckpointQueriesModule.register(checkpointedTreeProvider, [core]),
      ],
      exports: [core, IdentityEventsModule],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.core.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.core.stop();
  }
}
