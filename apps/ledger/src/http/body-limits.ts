import { MAX_DETAIL_BYTES, MAX_LEAF_BYTES } from '@trailmark/domain';
import type { FastifyInstance } from 'fastify';

/**
 * The largest body of one event: its leaf and its detail at their limits, doubled for what canonical
 * JSON leaves out (whitespace, escapes such as \u00e9 for a two-byte character). 256 KiB.
 */
export const EVENT_BODY_LIMIT_BYTES = 2 * (MAX_LEAF_BYTES + 1 + MAX_DETAIL_BYTES);
/** A batch: 1,000 events of ordinary size fit many times over; 1,000 of the largest would not, and need not. */
export const BATCH_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

const BATCH_ROUTE = '/v1/events/batch';

/** Every route reads at most EVENT_BODY_LIMIT_BYTES, the batch route BATCH_BODY_LIMIT_BYTES. Call before the routes are registered. */
export function limitBodies(fastify: FastifyInstance): void {
  fastify.addHook('onRoute', (route) => {
    if (route.url === BATCH_ROUTE) route.bodyLimit = BATCH_BODY_LIMIT_BYTES;
  });
}
