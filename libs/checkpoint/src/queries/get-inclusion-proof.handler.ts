import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ProofRangeError } from '../errors.js';
import { CheckpointedTree } from './checkpointed-tree.js';
import { GetInclusionProof, type InclusionProof } from './get-inclusion-proof.query.js';
import { requireSigned } from './require-signed.js';

@QueryHandler(GetInclusionProof)
export class GetInclusionProofHandler implements IQueryHandler<GetInclusionProof, InclusionProof> {
  constructor(private readonly tree: CheckpointedTree) {}

  async execute({ index, treeSize }: GetInclusionProof): Promise<InclusionProof> {
    requireSigned(this.tree, treeSize, 'treeSize');
    if (index >= treeSize) throw new ProofRangeError('index', `index ${index} is not in a tree of size ${treeSize}`);
    return { leafHash: this.tree.leafHash(index), proof: this.tree.proveInclusion(index, treeSize) };
  }
}
