import { CommandBus, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { RecordRead, tenantsToRecord } from '@trailmark/domain';
import { searchPage, type SearchPage } from '../search-page.js';
import { tenantHasEvents } from '../tenant-has-events.js';
import { ProjectedLog } from './projected-log.js';
import { SearchEvents } from './search-events.query.js';

@QueryHandler(SearchEvents)
export class SearchEventsHandler implements IQueryHandler<SearchEvents, SearchPage> {
  constructor(
    private readonly log: ProjectedLog,
    private readonly commandBus: CommandBus,
  ) {}

  async execute({ page, reader }: SearchEvents): Promise<SearchPage> {
    // What is in the tree is searchable: the projector follows the same order, usually a moment behind.
    const treeSize = this.log.treeSize;
    const { readModel } = this.log;
    await this.log.projector.whenProjected(treeSize);
    const found = await searchPage(readModel, { ...page, upTo: treeSize });
    const { tenants: asked } = page.filter;
    const tenants =
      asked === '*'
        ? [...new Set(found.events.map((event) => event.tenant))]
        : await tenantsToRecord(asked, reader.tenants, (tenant) => tenantHasEvents(readModel, tenant, treeSize));
    await this.commandBus.execute(new RecordRead(reader.name, 'audit_log.read', tenants, reader.request));
    return found;
  }
}
