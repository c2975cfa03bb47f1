import { Module, type DynamicModule, type ModuleMetadata, type Provider } from '@nestjs/common';
import { CheckpointedTree } from './checkpointed-tree.js';
import { GetCheckpointHandler } from './get-checkpoint.handler.js';
import { GetConsistencyProofHandler } from './get-consistency-proof.handler.js';
import { GetInclusionProofHandler } from './get-inclusion-proof.handler.js';

/**
 * What anyone may ask to check the log, as a Nest module: send GetCheckpoint, GetConsistencyProof or
 * GetInclusionProof on the QueryBus. The host provides the CheckpointedTree and a CqrsModule.forRoot().
 */
@Module({})
export class CheckpointQueriesModule {
  static register(tree: Provider<CheckpointedTree>, imports: ModuleMetadata['imports'] = []): DynamicModule {
    return {
      module: CheckpointQueriesModule,
      imports,
      providers: [tree, GetCheckpointHandler, GetConsistencyProofHandler, GetInclusionProofHandler],
    };
  }
}
