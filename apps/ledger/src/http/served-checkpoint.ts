import { NoCheckpointServedError, type ServedCheckpoint } from '@trailmark/checkpoint';
import type { FastifyReply } from 'fastify';
import type { LedgerCore } from '../core/ledger-core.js';

export const WITNESSED_HEADER = 'trailmark-witnessed';

/**
 * The one checkpoint the log serves, at GET /v1/log/checkpoint (the GetCheckpoint query) and at the tiles API's
 * `checkpoint`: both read LedgerCore.servedCheckpoint, the witness quorum's rule, so they can never disagree, and
 * the tiles served are bounded by its size.
 */
export function servedCheckpoint(core: LedgerCore, reply?: FastifyReply): ServedCheckpoint {
  const served = core.servedCheckpoint();
  if (!served) throw new NoCheckpointServedError(core.witnesses !== undefined);
  return reply ? withWitnessedHeader(served, reply) : served;
}

/**
 * With a witness policy, `trailmark-witnessed` says whether the checkpoint's cosignatures meet the quorum (false only
 * with TRAILMARK_SERVE_UNWITNESSED).
 */
export function withWitnessedHeader(served: ServedCheckpoint, reply: FastifyReply): ServedCheckpoint {
  if (served.witnessed !== undefined) void reply.header(WITNESSED_HEADER, String(served.witnessed));
  return served;
}
