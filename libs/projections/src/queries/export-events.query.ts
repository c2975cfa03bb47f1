import { Query } from '@nestjs/cqrs';
import type { EventFilter } from '../event-filter.js';
import type { ExportFormat } from '../export-formats.js';
import type { Reader } from './reader.js';

/** An export: its chunks, to be streamed as they come, and their media type. */
export interface EventExport {
  readonly contentType: string;
  readonly chunks: AsyncIterable<string>;
}

/**
 * Every event the filter matches, a page at a time, consistent with the latest signed checkpoint when the export
 * began: only its leaves, and it ends the export. Recorded as `audit_log.exported` in each tenant exported before
 * any of its events is sent.
 */
export class ExportEvents extends Query<EventExport> {
  constructor(
    readonly filter: EventFilter,
    readonly format: ExportFormat,
    readonly reader: Reader,
  ) {
    super();
  }
}
