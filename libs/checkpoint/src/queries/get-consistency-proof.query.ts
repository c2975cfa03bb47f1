import { Query } from '@nestjs/cqrs';
import type { Hash } from '@trailmark/proofs';

/** The RFC 6962 consistency proof from size `from` to size `to` (from ≤ to), up to the latest signed size. */
export class GetConsistencyProof extends Query<Hash[]> {
  constructor(
    readonly from: bigint,
    readonly to: bigint,
  ) {
    super();
  }
}
