import { Body, Controller, Get, Headers, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';
import { RecordRead, RecordIdentityEvent, RecordIdentityEvents, decodeEventMetadata, tenantAllowed, type Receipt } from '@trailmark/domain';
import { encodeBase64, formatTlogProof } from '@trailmark/proofs';
import { LedgerCore } from '../core/ledger-core.js';
import { ApiError } from './api-error.js';
import type { Principal } from './auth/credentials.js';
import { CurrentPrincipal } from './auth/principal.decorator.js';
import { RequiresRole } from './auth/requires-role.decorator.js';
import { base64Hashes, jsonNumber, parseCount, singleValue } from './json.js';

export const MAX_BATCH_EVENTS = 1000;
const TLOG_PROOF_MEDIA_TYPE = 'text/x.tlog-proof';

@Controller('v1/events')
export class EventsController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly core: LedgerCore,
  ) {}

  @Post()
  @RequiresRole('ingest')
  async record(
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
    @Query('wait') wait: unknown,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<object> {
    requireJson(contentType);
    const waitForCheckpoint = parseWait(wait);
    const receipt = await this.commandBus.execute(new RecordIdentityEvent(body, principal.tenants));
    void reply.status(receipt.created ? 201 : 200);
    return waitForCheckpoint ? this.withProof(receipt) : receiptBody(receipt);
  }

  @Post('batch')
  @RequiresRole('ingest')
  async recordBatch(
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
    @Query('wait') wait: unknown,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<object> {
    requireJson(contentType);
    const waitForCheckpoint = parseWait(wait);
    const events = (body as { events?: unknown } | null)?.events;
    if (typeof body !== 'object' || body === null || Array.isArray(body) || !Array.isArray(events)) {
      throw new ApiError(400, 'invalid_event', 'a batch is {"events": [ ... ]}', { field: 'events' });
    }
    const extra = Object.keys(body).find((key) => key !== 'events');
    if (extra !== undefined) throw new ApiError(400, 'invalid_event', `unknown field "${extra}" in the batch`, { field: extra });
    if (events.length === 0) throw new ApiError(400, 'invalid_event', 'a batch holds at least one event', { field: 'events' });
    if (events.length > MAX_BATCH_EVENTS) {
      throw new ApiError(413, 'batch_too_large', `a batch holds at most ${MAX_BATCH_EVENTS} events, this one ${events.length}`, {
        field: 'events',
        limit: MAX_BATCH_EVENTS,
      });
    }
    const receipts = await this.commandBus.execute(new RecordIdentityEvents(events, principal.tenants));
    void reply.status(receipts.some((receipt) => receipt.created) ? 201 : 200);
    return { events: waitForCheckpoint ? await Promise.all(receipts.map((receipt) => this.withProof(receipt))) : receipts.map(receiptBody) };
  }

  @Get(':id')
  @RequiresRole('reader', 'auditor')
  async get(@Param('id') id: string, @Query('tenant') tenant: unknown, @CurrentPrincipal() principal: Principal): Promise<object> {
    const { leafIndex, stored, envelope, metadata } = await this.readVisible(id, tenant, principal);
    await this.recordReadOf(id, envelope.tenant, principal, 'GET /v1/events/{id}');
    return {
      id: id.toLowerCase(),
      leafIndex: jsonNumber(leafIndex),
      leaf: encodeBase64(stored.data),
      event: envelope,
      detail: metadata.detail ?? null,
      // Opens the envelope's detail commitment: base64(SHA-256(salt || JCS(detail))) === event.detail.
      salt: metadata.salt === undefined ? null : encodeBase64(metadata.salt),
    };
  }

  @Get(':id/proof')
  @RequiresRole('reader', 'auditor')
  async proof(
    @Param('id') id: string,
    @Query('tenant') tenant: unknown,
    @Query('treeSize') treeSizeParam: unknown,
    @Headers('accept') accept: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<object | string> {
    const { leafIndex, stored, envelope } = await this.readVisible(id, tenant, principal);
    const treeSize = parseCount(treeSizeParam, 'treeSize');
    const checkpoint =
      treeSize === undefined ? await this.core.checkpointCovering(leafIndex + 1n) : this.core.checkpointOfSize(treeSize);
    if (!checkpoint) {
      throw new ApiError(404, 'not_found', `no signed checkpoint of size ${treeSize}; omit treeSize for the latest`, { treeSize: treeSizeParam });
    }
    if (leafIndex >= checkpoint.size) {
      throw new ApiError(400, 'bad_request', `event ${id} is leaf ${leafIndex}, not in the tree of size ${checkpoint.size}`, { treeSize: treeSizeParam });
    }
    const proof = this.core.tree.proveInclusion(leafIndex, checkpoint.size);
    await this.recordReadOf(id, envelope.tenant, principal, 'GET /v1/events/{id}/proof');
    if (accept?.includes(TLOG_PROOF_MEDIA_TYPE)) {
      void reply.header('content-type', `${TLOG_PROOF_MEDIA_TYPE}; charset=utf-8`);
      return formatTlogProof({ index: leafIndex, proof, checkpoint: checkpoint.note });
    }
    return {
      leafIndex: jsonNumber(leafIndex),
      treeSize: jsonNumber(checkpoint.size),
      leaf: encodeBase64(stored.data),
      leafHash: encodeBase64(this.core.tree.leafHash(leafIndex)),
      proof: base64Hashes(proof),
      checkpoint: checkpoint.note,
    };
  }

  /**
   * A read of one event, recorded in its tenant before the answer is sent: one `audit_log.read` a request (a burst
   * of reads is as many events as requests; docs/decisions.md says why not fewer).
   */
  private async recordReadOf(id: string, tenant: string, principal: Principal, endpoint: string): Promise<void> {
    await this.commandBus.execute(new RecordRead(principal.name, 'audit_log.read', [tenant], { endpoint, query: { id: id.toLowerCase() } }));
  }

  /**
   * The event, if it exists and the caller may read its tenant; otherwise the same 404 either way, decided from the
   * ledger index alone, so another tenant's event costs no more than none. Ids are per tenant: when the caller may
   * read several tenants that used the id, `?tenant=` says which one.
   */
  private async readVisible(id: string, tenantParam: unknown, principal: Principal) {
    const notFound = new ApiError(404, 'not_found', `no event ${id}`);
    const tenant = singleValue(tenantParam, 'tenant');
    // Ids are recorded in lowercase (POST accepts any case), so any spelling the client sent finds the event.
    const visible = this.core.index
      .leavesWithId(id.toLowerCase())
      .filter(({ key }) => key !== undefined && tenantAllowed(principal.tenants, key.tenant) && (tenant === undefined || key.tenant === tenant));
    const tenants = [...new Set(visible.map(({ key }) => key!.tenant))];
    if (tenants.length > 1) {
      throw new ApiError(409, 'ambiguous_event_id', `tenants ${tenants.join(', ')} each have an event ${id}: say which with ?tenant=`, {
        parameter: 'tenant',
        tenants,
      });
    }
    const leaf = visible[0];
    if (!leaf) throw notFound;
    const stored = await this.core.recorder.readLeaf(leaf);
    const envelope = JSON.parse(new TextDecoder().decode(stored.data)) as { tenant: string };
    return { leafIndex: leaf.leafIndex, stored, envelope, metadata: decodeEventMetadata(stored.metadata) };
  }

  private async withProof(receipt: Receipt): Promise<object> {
    const checkpoint = await this.core.checkpointCovering(receipt.leafIndex + 1n);
    return {
      ...receiptBody(receipt),
      treeSize: jsonNumber(checkpoint.size),
      proof: base64Hashes(this.core.tree.proveInclusion(receipt.leafIndex, checkpoint.size)),
      checkpoint: checkpoint.note,
    };
  }
}

function receiptBody(receipt: Receipt): object {
  return { id: receipt.id, leafIndex: jsonNumber(receipt.leafIndex), time: receipt.time };
}

/**
 * Events are JSON. Fastify also parses text/plain and Nest form bodies, which would then be
 * refused as "must be a JSON object, not a string" (400) or, worse, validated field by field:
 * answer 415 instead, naming the type that was sent.
 */
function requireJson(contentType: string | undefined): void {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    const sent = mediaType === undefined || mediaType === '' ? 'no Content-Type' : `Content-Type ${mediaType}`;
    throw new ApiError(415, 'unsupported_media_type', `send events as JSON with Content-Type: application/json, not ${sent}`, {
      contentType: mediaType ?? null,
    });
  }
}

function parseWait(raw: unknown): boolean {
  const wait = singleValue(raw, 'wait');
  if (wait === undefined) return false;
  if (wait !== 'checkpoint') throw new ApiError(400, 'bad_request', `wait must be "checkpoint", not "${wait}"`, { parameter: 'wait' });
  return true;
}
