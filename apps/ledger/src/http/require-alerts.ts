import type { LedgerCore } from '../core/ledger-core.js';
import { ApiError } from './api-error.js';

/** The alert endpoints answer 503 on a ledger started with TRAILMARK_ALERTS=off. */
export function requireAlerts(core: LedgerCore): void {
  if (core.config.alerts === false) throw new ApiError(503, 'alerts_disabled', 'alerts are off on this ledger (TRAILMARK_ALERTS=off)');
}
