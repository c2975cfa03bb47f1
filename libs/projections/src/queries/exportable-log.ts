import type { ExportCheckpoint, ExportProduct } from '../export-formats.js';
import type { ProjectedEvent } from '../projected-event.js';

/** The port exports are answered through (the host provides it), beside ProjectedLog. */
export abstract class ExportableLog {
  abstract readonly product: ExportProduct;
  /** The latest signed checkpoint (waiting for the first), with inclusion proofs in its tree: what an export ends on. */
  abstract signedCheckpoint(): Promise<ExportCheckpoint>;
  /** The rows as read, stopping at the first that differs from the tree's leaf. */
  abstract checkedAgainstTree(rows: AsyncIterable<ProjectedEvent>): AsyncIterable<ProjectedEvent>;
}
