export { generateNoteKey, parseSignerKey, verifierKeyFor, formatKeyId, type NoteSigner } from './keys.js';
export { signNote, addSignatures } from './signed-note.js';
export { signCheckpoint } from './sign-checkpoint.js';
export {
  MemoryCheckpointStore,
  type CheckpointStore,
  type SignedCheckpoint,
} from './signed-checkpoint-store.js';
export { SqliteCheckpointStore } from './sqlite-checkpoint-store.js';
export { CheckpointPublisher, type CheckpointClaims, type CheckpointPublisherOptions, type CheckpointTree } from './checkpoint-publisher.js';
export {
  LogForkedError,
  CheckpointRefusedError,
  PublisherStoppedError,
  WitnessConflictError,
  LogRolledBackError,
  LogKeyMismatchError,
  NoCheckpointServedError,
  ProofRangeError,
} from './errors.js';
export { FileCheckpointMark, type CheckpointMark } from './checkpoint-mark.js';
export { CHECKPOINT_STREAM, StreamCheckpointClaims } from './stream-checkpoint-claims.js';
// The opening side lives in the auditor's package; re-exported so the service imports one package.
export {
  openNote,
  parseVerifierKey,
  openCheckpoint,
  formatCheckpoint,
  parseCheckpoint,
  type Checkpoint,
  type NoteVerifier,
  type NoteSignature,
  type OpenedNote,
} from '@trailmark/proofs';
export { cosignerFromSigner, type Cosigner } from './cosigner.js';
export { SqliteCosignatureStore, type CosignatureStore } from './cosignature-store.js';
export {
  WitnessClient,
  type WitnessClientOptions,
  type WitnessObserver,
  type WitnessOutcome,
  type WitnessStatus,
  type PublishedCheckpoints,
} from './witness-client.js';
export { WitnessedCheckpoints, chooseServedCheckpoint, type ServedCheckpoint } from './served-checkpoint.js';
export { SqliteWitnessStateStore, type WitnessStateStore, type WitnessedState } from './witness-state-store.js';
export { addCheckpoint, type WitnessAnswer, type WitnessedLog, type WitnessServiceOptions } from './witness-service.js';
export { CheckpointedTree } from './queries/checkpointed-tree.js';
export { GetCheckpoint } from './queries/get-checkpoint.query.js';
export { GetConsistencyProof } from './queries/get-consistency-proof.query.js';
export { GetInclusionProof, type InclusionProof } from './queries/get-inclusion-proof.query.js';
export { CheckpointQueriesModule } from './queries/checkpoint-queries.module.js';
