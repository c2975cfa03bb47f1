import { Readable } from 'node:stream';
import { Controller, Get, Query, StreamableFile } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { EXPORT_FORMATS, ExportEvents, type ExportFormat } from '@trailmark/projections';
import { ApiError } from './api-error.js';
import type { Principal } from './auth/credentials.js';
import { CurrentPrincipal } from './auth/principal.decorator.js';
import { RequiresRole } from './auth/requires-role.decorator.js';
import { parseEventFilter, recordedQuery, type FilterQuery } from './event-query.js';
import { singleValue } from './json.js';

type ExportQuery = FilterQuery & { format?: unknown };

@Controller('v1/events')
export class ExportController {
  constructor(private readonly queryBus: QueryBus) {}

  /**
   * Every event the filters match, streamed a page at a time (constant memory), consistent with the latest
   * signed checkpoint when the export began: only its leaves, and it ends the export. Recorded as
   * `audit_log.exported` in each tenant exported before any of its events is sent.
   */
  @Get('export')
  @RequiresRole('reader', 'auditor')
  async export(@Query() query: ExportQuery, @CurrentPrincipal() principal: Principal): Promise<StreamableFile> {
    const format = parseFormat(query);
    const request = { endpoint: 'GET /v1/events/export', query: recordedQuery(query, ['format']) };
    const { chunks, contentType } = await this.queryBus.execute(new ExportEvents(parseEventFilter(query, principal), format, { ...principal, request }));
    return new StreamableFile(Readable.from(chunks), { type: contentType });
  }
}

function parseFormat(query: ExportQuery): ExportFormat {
  const format = singleValue(query.format, 'format') ?? 'ndjson';
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new ApiError(400, 'bad_request', `format must be one of ${EXPORT_FORMATS.join(', ')}`, { parameter: 'format' });
  }
  return format as ExportFormat;
}
