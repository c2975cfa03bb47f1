import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { Controller, Get, Query, StreamableFile } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { EXPORT_CONTENT_TYPES, EXPORT_FORMATS, exportChunks, type ExportFormat, type ProjectedEvent, tenantHasEvents } from '@trailmark/projections';
import { RecordRead, recordedBeforeSent, tenantsToRecord } from '@trailmark/domain';
import { LedgerCore } from '../core/ledger-core.js';
import { checkedAgainstTree } from '../core/read-model-vs-tree.js';
import { ApiError } from './api-error.js';
import type { Principal } from './auth/credentials.js';
import { CurrentPrincipal } from './auth/principal.decorator.js';
import { RequiresRole } from './auth/requires-role.decorator.js';
import { parseEventFilter, recordedQuery, type FilterQuery } from './event-query.js';
import { singleValue } from './json.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

@Controller('v1/events')
export class ExportController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly core: LedgerCore,
  ) {}

  /**
   * Every event the filters match, streamed a page at a time (constant memory), consistent with the latest
   * signed checkpoint when the export began: only its leaves, and it ends the export. Recorded as
   * `audit_log.exported` in each tenant exported before any of its events is sent.
   */
  @Get('export')
  @RequiresRole('reader', 'auditor')
  async export(@Query() query: FilterQuery & { format?: unknown }, @CurrentPrincipal() principal: Principal): Promise<StreamableFile> {
    const format = singleValue(query.format, 'format') ?? 'ndjson';
    if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
      throw new ApiError(400, 'bad_request', `format must be one of ${EXPORT_FORMATS.join(', ')}`, { parameter: 'format' });
    }
    const filter = parseEventFilter(query, principal);
    const signed = await this.core.checkpointCovering(0n);
    await this.core.projector.whenProjected(signed.size);
    const record = (tenants: readonly string[]) =>
      this.commandBus.execute(new RecordRead(principal.name, 'audit_log.exported', tenants, {
        endpoint: 'GET /v1/events/export',
        query: recordedQuery(query, ['format']),
      }));
    // Only leaves of the signed tree: a read-model row that differs from the tree stops the export there.
    const events = checkedAgainstTree(this.core.readModel.scan(filter, { upTo: signed.size }), this.core.tree);
    const toChunks = (rows: AsyncIterable<ProjectedEvent>) =>
      exportChunks(
        format as ExportFormat,
        rows,
        { note: signed.note, size: signed.size, proveInclusion: (leafIndex) => this.core.tree.proveInclusion(leafIndex, signed.size) },
        { name: 'Trailmark', vendorName: 'Trailmark', version, logName: this.core.signer.name },
      );
    let chunks: AsyncIterable<string>;
    if (filter.tenants === '*') {
      // Whom an all-tenant export reads is learnt as it reads: each chunk leaves once its tenants are recorded.
      chunks = recordedBeforeSent(events, toChunks, record);
    } else {
      await record(await tenantsToRecord(filter.tenants, principal.tenants, (tenant) => tenantHasEvents(this.core.readModel, tenant, signed.size)));
      chunks = toChunks(events);
    }
    return new StreamableFile(Readable.from(chunks), { type: EXPORT_CONTENT_TYPES[format as ExportFormat] });
  }
}
