import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { NoCheckpointServedError } from '../errors.js';
import type { ServedCheckpoint } from '../served-checkpoint.js';
import { CheckpointedTree } from './checkpointed-tree.js';
import { GetCheckpoint } from './get-checkpoint.query.js';

@QueryHandler(GetCheckpoint)
export class GetCheckpointHandler implements IQueryHandler<GetCheckpoint, ServedCheckpoint> {
  constructor(private readonly tree: CheckpointedTree) {}

  async execute(): Promise<ServedCheckpoint> {
    const served = this.tree.servedCheckpoint();
    if (!served) throw new NoCheckpointServedError(this.tree.witnessPolicy);
    return served;
  }
}
