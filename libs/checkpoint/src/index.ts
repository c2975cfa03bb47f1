export { generateNoteKey, parseSignerKey, verifierKeyFor, formatKeyId, type NoteSigner } from './keys.js';
export { signNote, addSignatures } from './signed-note.js';
export { signCheckpoint } from './sign-checkpoint.js';
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
