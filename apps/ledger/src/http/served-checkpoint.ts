import type { SignedCheckpoint } from '@trailmark/checkpoint';
import type { LedgerCore } from '../core/ledger-core.js';
import { ApiError } from './api-error.js';

/**
 * The one checkpoint the log serves, at GET /v1/log/checkpoint and at the tiles API's `checkpoint`: both
 * read it here, so they can never disagree, and the tiles served are bounded by its size.
 */
export function servedCheckpoint(core: LedgerCore): SignedCheckpoint {
  const latest = core.publisher.latest();
  if (!latest) throw new ApiError(503, 'unavailable', 'no checkpoint has been signed yet');
  return latest;
}
