import type { Envelope } from '../envelope.js';
import type { Receipt } from '../recording/receipt.js';

/** Published on the EventBus once an event is in the tree (not for retries of recorded events). */
export class IdentityEventRecorded {
  constructor(
    readonly receipt: Receipt,
    readonly envelope: Envelope,
  ) {}
}
