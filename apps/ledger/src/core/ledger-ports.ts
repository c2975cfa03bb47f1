import { createRequire } from 'node:module';
import type { Provider } from '@nestjs/common';
import { CheckpointedTree } from '@trailmark/checkpoint';
import { ExportableLog, ProjectedLog } from '@trailmark/projections';
import { LedgerCore } from './ledger-core.js';
import { checkedAgainstTree } from './read-model-vs-tree.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/**
 * The ports the libraries' query handlers are answered through, each a view of the one LedgerCore: read through
 * getters, because the read model exists only once the ledger has started.
 */
export const projectedLogProvider: Provider<ProjectedLog> = {
  provide: ProjectedLog,
  inject: [LedgerCore],
  useFactory: (ledger: LedgerCore): ProjectedLog => ({
    get readModel() {
      return ledger.readModel;
    },
    get projector() {
      return ledger.projector;
    },
    get treeSize() {
      return ledger.tree.size;
    },
  }),
};

export const checkpointedTreeProvider: Provider<CheckpointedTree> = {
  provide: CheckpointedTree,
  inject: [LedgerCore],
  useFactory: (ledger: LedgerCore): CheckpointedTree => ({
    servedCheckpoint: () => ledger.servedCheckpoint(),
    witnessPolicy: ledger.witnesses !== undefined,
    get signedSize() {
      return ledger.publisher.latest()?.size ?? 0n;
    },
    proveConsistency: (from, to) => ledger.tree.proveConsistency(from, to),
    proveInclusion: (index, treeSize) => ledger.tree.proveInclusion(index, treeSize),
    leafHash: (index) => ledger.tree.leafHash(index),
  }),
};

export const exportableLogProvider: Provider<ExportableLog> = {
  provide: ExportableLog,
  inject: [LedgerCore],
  useFactory: (ledger: LedgerCore): ExportableLog => ({
    product: { name: 'Trailmark', vendorName: 'Trailmark', version, logName: ledger.signer.name },
    signedCheckpoint: async () => {
      const { note, size } = await ledger.checkpointCovering(0n);
      return { note, size, proveInclusion: (leafIndex) => ledger.tree.proveInclusion(leafIndex, size) };
    },
    checkedAgainstTree: (rows) => checkedAgainstTree(rows, ledger.tree),
  }),
};
