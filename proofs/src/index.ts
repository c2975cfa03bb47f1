// @trailmark/proofs: everything an auditor needs to check a Trailmark log offline,
// in Node or a browser. Depends on nothing but @noble/hashes and @noble/curves.
export { VerificationError, FormatError } from './errors.js';
export { type Hash, HASH_SIZE, asHash, hashLeaf, hashChildren, EMPTY_TREE_ROOT, equalHashes } from './hash.js';
export { encodeBase64, decodeBase64 } from './base64.js';
export { MAX_UINT64 } from './uint64.js';
export { rootFromInclusionProof, verifyInclusion } from './inclusion.js';
export { verifyConsistency } from './consistency.js';
export {
  type NoteVerifier,
  type NoteSignature,
  type OpenedNote,
  MAX_NOTE_SIZE,
  MAX_NOTE_SIGNATURES,
  noteKeyId,
  isValidKeyName,
  parseVerifierKey,
  parseEd25519Vkey,
  verifyEd25519,
  openNote,
} from './note.js';
export { type Checkpoint, formatCheckpoint, parseCheckpoint, openCheckpoint } from './checkpoint.js';
export { type TlogProof, TLOG_PROOF_HEADER, formatTlogProof, parseTlogProof } from './tlog-proof.js';
export { verifyReceipt } from './receipt.js';
export {
  type EvidenceEvent,
  type EvidenceProgress,
  type VerifyEvidenceOptions,
  EVIDENCE_FORMAT,
  MAX_EVIDENCE_LINE,
  evidenceHeader,
  evidenceEventLine,
  evidenceTrailer,
  verifyEvidenceBundle,
} from './evidence-bundle.js';
export {
  type CosignerKey,
  type Cosignature,
  COSIGNATURE_V1_TYPE,
  parseCosignerKey,
  cosignedMessage,
  decodeCosignature,
  encodeTimestampedSignature,
  verifyCosignature,
} from './cosignature.js';
export {
  type WitnessPolicy,
  type PolicyWitness,
  type PolicyLog,
  type QuorumRule,
  parseWitnessPolicy,
  quorumMet,
  describeQuorum,
} from './witness-policy.js';
export { type WitnessedCheckpoint, openWitnessedCheckpoint, verifyPolicyCosignatures } from './witnessed-checkpoint.js';
export { type StreamFileSummary, verifyStreamLines } from './stream-file.js';
export { type LeafSpan, type ProvenLeaf, batchInclusionSpans, rootFromBatchInclusion, verifyBatchInclusion } from './batch-inclusion.js';
export {
  type TileResource,
  TILE_HEIGHT,
  TILE_WIDTH,
  MAX_ENTRY_BYTES,
  encodeTileIndex,
  tilePath,
  entriesPath,
  parseTilePath,
  encodeEntryBundle,
  entryBundleOffsets,
  decodeEntryBundle,
} from './tlog-tiles.js';
export { type Sha256, type CompletedTile, TileTree, partialWidths } from './tile-tree.js';
export {
  type TileFetcher,
  type MonitorState,
  type FollowOptions,
  type FollowProgress,
  type FollowResult,
  MissingTileError,
  followLog,
} from './tile-monitor.js';
