import { CommandBus, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { RecordRead, recordedBeforeSent, tenantsToRecord } from '@trailmark/domain';
import { EXPORT_CONTENT_TYPES, exportChunks } from '../export-formats.js';
import type { ProjectedEvent } from '../projected-event.js';
import { tenantHasEvents } from '../tenant-has-events.js';
import { ExportableLog } from './exportable-log.js';
import { ExportEvents, type EventExport } from './export-events.query.js';
import { ProjectedLog } from './projected-log.js';

@QueryHandler(ExportEvents)
export class ExportEventsHandler implements IQueryHandler<ExportEvents, EventExport> {
  constructor(
    private readonly log: ProjectedLog,
    private readonly exportable: ExportableLog,
    private readonly commandBus: CommandBus,
  ) {}

  async execute({ filter, format, reader }: ExportEvents): Promise<EventExport> {
    const signed = await this.exportable.signedCheckpoint();
    await this.log.projector.whenProjected(signed.size);
    const { readModel } = this.log;
    const record = (tenants: readonly string[]) => this.commandBus.execute(new RecordRead(reader.name, 'audit_log.exported', tenants, reader.request));
    // Only leaves of the signed tree: a read-model row that differs from the tree stops the export there.
    const events = this.exportable.checkedAgainstTree(readModel.scan(filter, { upTo: signed.size }));
    const toChunks = (rows: AsyncIterable<ProjectedEvent>) => exportChunks(format, rows, signed, this.exportable.product);
    let chunks: AsyncIterable<string>;
    if (filter.tenants === '*') {
      // Whom an all-tenant export reads is learnt as it reads: each chunk leaves once its tenants are recorded.
      chunks = recordedBeforeSent(events, toChunks, record);
    } else {
      await record(await tenantsToRecord(filter.tenants, reader.tenants, (tenant) => tenantHasEvents(readModel, tenant, signed.size)));
      chunks = toChunks(events);
    }
    return { contentType: EXPORT_CONTENT_TYPES[format], chunks };
  }
}
