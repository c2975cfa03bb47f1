import type { ServedCheckpoint } from '@trailmark/checkpoint';
import type { FastifyReply } from 'fastify';
import type { LedgerCore } from '../core/ledger-core.js';
import { ApiError } from './api-error.js';

export const WITNESSED_HEADER = 'trailmark-witnessed';

/**
 * The one checkpoint the log serves, at GET /v1/log/checkpoint and at the tiles API's `checkpoint`: both read it
 * here (LedgerCore.servedCheckpoint, the witness quorum's rule), so they can never disagree, and the tiles served
 * are bounded by its size. With a witness policy, `trailmark-witnessed` says whether its cosignatures meet the
 * quorum (false only with TRAILMARK_SERVE_UNWITNESSED).
 */
export function servedCheckpoint(core: LedgerCore, reply?: FastifyReply): ServedCheckpoint {
  const served = core.servedCheckpoint();
  if (!served) {
    const why = core.witnesses ? 'no checkpoint meets the witness quorum yet' : 'no checkpoint has been signed yet';
    throw new ApiError(503, 'unavailable', why);
  }
  if (reply && served.witnessed !== undefined) void reply.header(WITNESSED_HEADER, String(served.witnessed));
  return served;
}
