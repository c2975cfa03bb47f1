import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Hash } from '@trailmark/proofs';
import { CheckpointedTree } from './checkpointed-tree.js';
import { GetConsistencyProof } from './get-consistency-proof.query.js';
import { requireSigned } from './require-signed.js';

@QueryHandler(GetConsistencyProof)
export class GetConsistencyProofHandler implements IQueryHandler<GetConsistencyProof, Hash[]> {
  constructor(private readonly tree: CheckpointedTree) {}

  async execute({ from, to }: GetConsistencyProof): Promise<Hash[]> {
    requireSigned(this.tree, to, 'to');
    return this.tree.proveConsistency(from, to);
  }
}
