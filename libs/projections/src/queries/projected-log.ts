import type { ProjectorHandle } from '../projector.js';
import type { ReadModelStore } from '../read-model-store.js';

/**
 * The port the read queries are answered through (the host provides it): the read models, the projector feeding
 * them, and how many leaves the tree holds now. Only leaves in the tree are read, so each answer can be proven.
 */
export abstract class ProjectedLog {
  abstract readonly readModel: ReadModelStore;
  abstract readonly projector: Pick<ProjectorHandle, 'whenProjected'>;
  abstract readonly treeSize: bigint;
}
