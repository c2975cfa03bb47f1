import { Command } from '@nestjs/cqrs';
import type { Receipt } from '../recording/receipt.js';
import type { TenantScope } from '../recording/tenant-access.js';

/** Record one identity event. `body` is the request body as received; the handler validates it. */
export class RecordIdentityEvent extends Command<Receipt> {
  constructor(
    readonly body: unknown,
    readonly tenants: TenantScope = '*',
  ) {
    super();
  }
}
