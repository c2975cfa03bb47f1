import { Query } from '@nestjs/cqrs';
import type { AccessHolding } from '../access.js';
import type { Reader } from './reader.js';

/**
 * Point-in-time access review: who held which role (or `role`) in the tenant at `at`, from the grants and
 * revocations already in the tree; recorded as `audit_log.read`. The caller checks the reader may read the tenant.
 */
export class ReviewAccess extends Query<AccessHolding[]> {
  constructor(
    readonly tenant: string,
    readonly at: string,
    readonly role: string | undefined,
    readonly reader: Reader,
  ) {
    super();
  }
}
