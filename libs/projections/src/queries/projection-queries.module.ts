import { Module, type DynamicModule, type ModuleMetadata, type Provider } from '@nestjs/common';
import { ProjectedLog } from './projected-log.js';
import { ReviewAccessHandler } from './review-access.handler.js';
import { SearchEventsHandler } from './search-events.handler.js';

/**
 * The read side as a Nest module: send SearchEvents or ReviewAccess on the QueryBus. The host provides the
 * ProjectedLog and a CqrsModule.forRoot() with the RecordRead handler (libs/domain's IdentityEventsModule).
 */
@Module({})
export class ProjectionQueriesModule {
  static register(log: Provider<ProjectedLog>, imports: ModuleMetadata['imports'] = []): DynamicModule {
    return { module: ProjectionQueriesModule, imports, providers: [log, SearchEventsHandler, ReviewAccessHandler] };
  }
}
