import { Query } from '@nestjs/cqrs';
import type { Hash } from '@trailmark/proofs';

export interface InclusionProof {
  readonly leafHash: Hash;
  readonly proof: Hash[];
}

/** The RFC 6962 inclusion proof of leaf `index` in the tree of `treeSize`, up to the latest signed size. */
export class GetInclusionProof extends Query<InclusionProof> {
  constructor(
    readonly index: bigint,
    readonly treeSize: bigint,
  ) {
    super();
  }
}
