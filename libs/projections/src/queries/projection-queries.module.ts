import { Module, type DynamicModule, type ModuleMetadata, type Provider } from '@nestjs/common';
import { ExportEventsHandler } from './export-events.handler.js';
import type { ExportableLog } from './exportable-log.js';
import type { ProjectedLog } from './projected-log.js';
import { ReviewAccessHandler } from './review-access.handler.js';
import { SearchEventsHandler } from './search-events.handler.js';

/**
 * The read side as a Nest module: send SearchEvents, ExportEvents or ReviewAccess on the QueryBus. The host provides
 * the ProjectedLog and ExportableLog ports and a CqrsModule.forRoot() with the RecordRead handler (libs/domain's IdentityEventsModule).
 */
@Module({})
export class ProjectionQueriesModule {
  static register(
    ports: { readonly log: Provider<ProjectedLog>; readonly exportable: Provider<ExportableLog> },
    imports: ModuleMetadata['imports'] = [],
  ): DynamicModule {
    return {
      module: ProjectionQueriesModule,
      imports,
      providers: [ports.log, ports.exportable, SearchEventsHandler, ExportEventsHandler, ReviewAccessHandler],
    };
  }
}
