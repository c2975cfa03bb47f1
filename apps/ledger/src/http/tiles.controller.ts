import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { Controller, Get, Header, Inject, Req, Res, type Type } from '@nestjs/common';
import { parseTilePath, TILE_WIDTH } from '@trailmark/proofs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { entryBundle, hashTileBody } from '../core/log-tiles.js';
import { LedgerCore } from '../core/ledger-core.js';
import { ApiError } from './api-error.js';
import type { AuthenticatedRequest } from './auth/bearer-auth.guard.js';
import { Public, RequiresRole } from './auth/requires-role.decorator.js';
import { servedCheckpoint } from './served-checkpoint.js';

const gzipAsync = promisify(gzip);

/** A full tile or bundle never changes; a partial one is superseded within a checkpoint interval or two. */
const CACHE_FULL = 'public, max-age=31536000, immutable';
const CACHE_PARTIAL = 'public, max-age=60';
const CACHE_FULL_PRIVATE = 'private, max-age=31536000, immutable';
const CACHE_PARTIAL_PRIVATE = 'private, max-age=60';
/** C2SP: the checkpoint is mutable, so it is not cached beyond a few seconds. */
const CACHE_CHECKPOINT = 'public, max-age=5';

/**
 * The C2SP tlog-tiles read API under `prefix` (TRAILMARK_TILES_PREFIX, default /log/): `checkpoint`,
 * `tile/<L>/<N>[.p/<W>]`, `tile/entries/<N>[.p/<W>]`. The checkpoint and the hash tiles are public, like
 * /v1/log: they say nothing of any tenant. Entry bundles hold every tenant's envelopes (actor and target ids),
 * so unless `publicEntries` (TRAILMARK_PUBLIC_ENTRIES) they are for auditors of every tenant, as an all-tenant
 * export is. Tiles and bundles beyond the served checkpoint are 404: a client holds no checkpoint that needs them.
 */
export function tilesControllerAt(prefix: string, publicEntries: boolean): Type<unknown> {
  @Public()
  @Controller(prefix.replace(/^\/+|\/+$/g, ''))
  class TilesController {
    constructor(@Inject(LedgerCore) private readonly core: LedgerCore) {}

    @Get('checkpoint')
    @Header('content-type', 'text/plain; charset=utf-8')
    @Header('cache-control', CACHE_CHECKPOINT)
    checkpoint(@Res({ passthrough: true }) reply: FastifyReply): string {
      return servedCheckpoint(this.core, reply).note;
    }

    @Get('tile/entries/*')
    async entries(@Req() request: AuthenticatedRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
      if (!publicEntries && request.principal?.tenants !== '*') {
        throw new ApiError(403, 'forbidden', 'entry bundles hold every tenant\'s events: they need an auditor token for all tenants (or TRAILMARK_PUBLIC_ENTRIES=true)');
      }
      return this.serve(request, reply);
    }

    @Get('tile/*')
    tile(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<Buffer> {
      return this.serve(request, reply);
    }

    private async serve(request: FastifyRequest, reply: FastifyReply): Promise<Buffer> {
      const path = request.url.split('?')[0]!.slice(prefix.length);
      const resource = parseTilePath(path);
      void reply.header('cache-control', 'no-store');
      if (!resource || resource.kind === 'checkpoint') throw new ApiError(404, 'not_found', `${prefix}${path} is not a tlog-tiles resource`, { path });
      const size = servedCheckpoint(this.core).size;
      const body =
        resource.kind === 'tile'
          ? hashTileBody(this.core.tree, resource.level, resource.index, resource.width, size)
          : await entryBundle(this.core.index, this.core.store, resource.index, resource.width, size);
      if (!body) throw new ApiError(404, 'not_found', `${prefix}${path} is beyond the latest checkpoint (size ${size})`, { path, treeSize: Number(size) });
      void reply.header('content-type', 'application/octet-stream');
      // A bundle behind a credential is not for shared caches.
      const shared = resource.kind === 'tile' || publicEntries;
      void reply.header('cache-control', resource.width === TILE_WIDTH ? (shared ? CACHE_FULL : CACHE_FULL_PRIVATE) : shared ? CACHE_PARTIAL : CACHE_PARTIAL_PRIVATE);
      if (resource.kind === 'tile') return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      void reply.header('vary', 'accept-encoding');
      if (!acceptsGzip(request.headers['accept-encoding'])) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      void reply.header('content-encoding', 'gzip');
      return gzipAsync(body);
    }
  }
  if (!publicEntries) {
    const entries = Object.getOwnPropertyDescriptor(TilesController.prototype, 'entries')!;
    RequiresRole('auditor')(TilesController.prototype, 'entries', entries);
  }
  return TilesController;
}

/** Whether an Accept-Encoding header admits gzip (named, or "*", with a q above 0). */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return false;
  return value.split(',').some((part) => {
    const [name, ...parameters] = part.split(';').map((token) => token.trim().toLowerCase());
    if (name !== 'gzip' && name !== '*') return false;
    const q = parameters.find((parameter) => parameter.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}
