import type { Provider } from '@nestjs/common';
import { ProjectedLog } from '@trailmark/projections';
import { LedgerCore } from './ledger-core.js';

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
