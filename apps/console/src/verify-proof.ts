import {
  asHash,
  decodeBase64,
  encodeBase64,
  equalHashes,
  hashLeaf,
  openCheckpoint,
  openNote,
  parseVerifierKey,
  rootFromInclusionProof,
  type Checkpoint,
  type Hash,
} from '@trailmark/proofs';

/** GET /v1/events/{id}/proof. */
export interface ProofBody {
  readonly leafIndex: number;
  readonly treeSize: number;
  readonly leaf: string;
  readonly leafHash: string;
  readonly proof: readonly string[];
  readonly checkpoint: string;
}

export interface VerificationStep {
  readonly name: string;
  readonly status: 'ok' | 'failed' | 'not reached';
  readonly detail: string;
}

/**
 * Checks in the browser, with @trailmark/proofs, that the event's leaf is in the log the pinned key signs: each
 * step is reported, and the first that fails says where the proof broke (the steps after it are not reached).
 * `eventLeaf` is the leaf the event itself was served with (GET /v1/events/{id}).
 */
export function verifyProof(proof: ProofBody, eventLeaf: string, key: string): VerificationStep[] {
  const steps: VerificationStep[] = [];
  const step = (name: string, check: () => string): void => {
    if (steps.some((done) => done.status !== 'ok')) {
      steps.push({ name, status: 'not reached', detail: 'an earlier step failed' });
      return;
    }
    try {
      steps.push({ name, status: 'ok', detail: check() });
    } catch (error) {
      steps.push({ name, status: 'failed', detail: (error as Error).message });
    }
  };
  let leafHash: Hash | undefined;
  let checkpoint: Checkpoint | undefined;
  let root: Hash | undefined;
  step('Leaf bytes', () => {
    if (proof.leaf !== eventLeaf) throw new Error('the proof is for other leaf bytes than the event shown');
    return `${decodeBase64(proof.leaf).length} bytes: the event's envelope in canonical JSON`;
  });
  step('Leaf hash', () => {
    leafHash = hashLeaf(decodeBase64(proof.leaf));
    if (encodeBase64(leafHash) !== proof.leafHash) {
      throw new Error(`SHA-256(0x00 || leaf) is ${encodeBase64(leafHash)}, the proof says ${proof.leafHash}`);
    }
    return proof.leafHash;
  });
  step('Checkpoint signature', () => {
    checkpoint = openCheckpoint(proof.checkpoint, key);
    const verifier = parseVerifierKey(key);
    return `signed by ${verifier.name}, key id ${verifier.keyId.toString(16).padStart(8, '0')}: tree size ${checkpoint.size}`;
  });
  step('Tree size', () => {
    if (checkpoint!.size !== BigInt(proof.treeSize)) {
      throw new Error(`the proof is for a tree of ${proof.treeSize} leaves, the checkpoint signs ${checkpoint!.size}`);
    }
    return `leaf ${proof.leafIndex} of ${proof.treeSize}`;
  });
  step('Inclusion path', () => {
    const path = proof.proof.map((hash) => asHash(decodeBase64(hash)));
    root = rootFromInclusionProof(BigInt(proof.leafIndex), checkpoint!.size, leafHash!, path);
    return `${path.length} hashes lead to the root ${encodeBase64(root)}`;
  });
  step('Root', () => {
    if (!equalHashes(root!, checkpoint!.root)) {
      throw new Error(`the path leads to ${encodeBase64(root!)}, the signed checkpoint's root is ${encodeBase64(checkpoint!.root)}`);
    }
    return `equals the signed root ${encodeBase64(checkpoint!.root)}`;
  });
  step('Cosignatures', () => {
    const { unverified } = openNote(proof.checkpoint, [parseVerifierKey(key)]);
    if (unverified.length === 0) return 'none on this checkpoint';
    return `${unverified.length} from ${unverified.map((signature) => signature.name).join(', ')}; check them against a witness policy with trailmark-verify`;
  });
  return steps;
}

export function verdictOf(steps: readonly VerificationStep[]): boolean {
  return steps.every((step) => step.status === 'ok');
}
