import { Command } from '@nestjs/cqrs';
import type { Receipt } from '../recording/receipt.js';
import type { TenantScope } from '../recording/tenant-access.js';

/** Record a batch of identity events, all or nothing. Errors name the event as `events[i]`. */
export class RecordIdentityEvents extends Command<Receipt[]> {
  constructor(
    readonly bodies: readonly unknown[],
    readonly tenants: TenantScope = '*',
  ) {
    super();
  }
}
