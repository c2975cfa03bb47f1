import { CommandBus, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { RecordRead, tenantsToRecord } from '@trailmark/domain';
import { tenantHasEvents } from '../tenant-has-events.js';
import { ProjectedLog } from './projected-log.js';
import { SearchEvents, type EventPage } from './search-events.query.js';

@QueryHandler(SearchEvents)
export class SearchEventsHandler implements IQueryHandler<SearchEvents, EventPage> {
  constructor(
    private readonly log: ProjectedLog,
    private readonly commandBus: CommandBus,
  ) {}

  async execute({ filter, page, reader }: SearchEvents): Promise<EventPage> {
    // What is in the tree is searchable: the projector follows the same order, usually a moment behind.
    const treeSize = this.log.treeSize;
    const { readModel } = this.log;
    await this.log.projector.whenProjected(treeSize);
    const events = await readModel.search(filter, { limit: page.limit, upTo: treeSize, ...(page.after !== undefined && { after: page.after }) });
    const tenants =
      filter.tenants === '*'
        ? [...new Set(events.map((event) => event.tenant))]
        : await tenantsToRecord(filter.tenants, reader.tenants, (tenant) => tenantHasEvents(readModel, tenant, treeSize));
    await this.commandBus.execute(new RecordRead(reader.name, 'audit_log.read', tenants, reader.request));
    return { events, next: events.length === page.limit ? events[events.length - 1]!.leafIndex : undefined };
  }
}
