import {
  decodeBase64,
  EMPTY_TREE_ROOT,
  equalHashes,
  FormatError,
  HASH_SIZE,
  asHash,
  openNote,
  parseCheckpoint,
  verifyConsistency,
  type Checkpoint,
  type Hash,
  type NoteVerifier,
} from '@trailmark/proofs';
import type { Cosigner } from './cosigner.js';
import type { WitnessStateStore } from './witness-state-store.js';

/** A log this witness cosigns for: its origin and the keys it trusts for it. */
export interface WitnessedLog {
  origin: string;
  verifiers: NoteVerifier[];
}

export interface WitnessAnswer {
  status: 200 | 400 | 403 | 404 | 409 | 422;
  contentType: string;
  body: string;
}

export interface WitnessServiceOptions {
  logs: readonly WitnessedLog[];
  cosigner: Cosigner;
  state: WitnessStateStore;
  now?: () => Date;
  /** a request whose log signature verified but that was refused (409, 422): possible evidence of a misbehaving log */
  onRefused?: (origin: string, answer: WitnessAnswer, checkpoint: Checkpoint) => void;
}

/** The client MUST NOT send more (tlog-witness). */
const MAX_PROOF_LINES = 63;
const TEXT = 'text/plain; charset=utf-8';
const SIZE = 'text/x.tlog.size';

/**
 * The witness side of C2SP tlog-witness `add-checkpoint`, as a plain function of the request body:
 * parse; 404 for an unknown origin; 403 when no trusted key signed it; 400 when the old size is
 * above the checkpoint's; then, atomically with the stored state: 409 (with the size it holds, as
 * text/x.tlog.size) when the old size is not that size, or when it is the checkpoint's size with
 * another root; 422 when the consistency proof does not verify; else the new state is stored
 * (durably) and the answer is its cosignature/v1 line.
 */
export function addCheckpoint(body: Uint8Array, options: WitnessServiceOptions): WitnessAnswer {
  let request: { old: bigint; proof: Hash[]; note: Uint8Array };
  try {
    request = parseRequest(body);
  } catch (error) {
    return answer(400, (error as Error).message);
  }
  let text: string;
  try {
    text = noteText(request.note);
  } catch (error) {
    return answer(400, (error as Error).message);
  }
  const origin = text.slice(0, text.indexOf('\n'));
  const log = options.logs.find((candidate) => candidate.origin === origin);
  if (log === undefined) return answer(404, `this witness does not witness the log ${JSON.stringify(origin)}`);
  let checkpoint: Checkpoint;
  try {
    openNote(request.note, log.verifiers);
  } catch (error) {
    if (error instanceof FormatError) return answer(400, error.message);
    return answer(403, `no signature by a key this witness trusts for ${origin} verifies: ${(error as Error).message}`);
  }
  try {
    checkpoint = parseCheckpoint(text);
  } catch (error) {
    return answer(400, (error as Error).message);
  }
  const { old, proof } = request;
  if (old > checkpoint.size) return answer(400, `old size ${old} is above the checkpoint's size ${checkpoint.size}`);

  const result = options.state.update(origin, (current) => {
    const held = current?.size ?? 0n;
    if (old !== held) return { result: answer(409, `${held}\n`, SIZE) };
    const heldRoot = current?.root ?? EMPTY_TREE_ROOT;
    if (old === checkpoint.size) {
      if (!equalHashes(heldRoot, checkpoint.root)) return { result: answer(409, `${held}\n`, SIZE) };
    } else if (old === 0n) {
      if (proof.length !== 0) return { result: answer(422, 'the consistency proof from size 0 must be empty') };
    } else {
      try {
        verifyConsistency(old, checkpoint.size, proof, heldRoot, checkpoint.root);
      } catch (error) {
        return { result: answer(422, `the consistency proof from size ${old} does not verify: ${(error as Error).message}`) };
      }
    }
    // Stored (and fsynced) before the cosignature exists: a crash now leaves the state ahead, never behind.
    return { next: { size: checkpoint.size, root: checkpoint.root, note: new TextDecoder().decode(request.note) }, result: undefined };
  });
  if (result !== undefined) {
    options.onRefused?.(origin, result, checkpoint);
    return result;
  }
  const timestamp = BigInt(Math.floor((options.now?.() ?? new Date()).getTime() / 1000));
  return { status: 200, contentType: TEXT, body: options.cosigner.cosign(text, timestamp) };
}

function answer(status: WitnessAnswer['status'], body: string, contentType = TEXT): WitnessAnswer {
  return { status, contentType, body: body.endsWith('\n') ? body : `${body}\n` };
}

/** "old <size>\n", up to 63 base64 hash lines, "\n", then the signed checkpoint note. */
function parseRequest(body: Uint8Array): { old: bigint; proof: Hash[]; note: Uint8Array } {
  let at = 0;
  const nextLine = (): string => {
    const end = body.indexOf(0x0a, at);
    if (end < 0) throw new FormatError('the request ends before the empty line that precedes the checkpoint');
    const line = new TextDecoder('utf-8', { fatal: true }).decode(body.subarray(at, end));
    at = end + 1;
    return line;
  };
  const oldLine = nextLine();
  const old = /^old (0|[1-9][0-9]{0,19})$/.exec(oldLine);
  if (old === null) throw new FormatError(`the first line is not "old <size>": ${JSON.stringify(oldLine.slice(0, 80))}`);
  const proof: Hash[] = [];
  for (let line = nextLine(); line !== ''; line = nextLine()) {
    if (proof.length === MAX_PROOF_LINES) throw new FormatError(`more than ${MAX_PROOF_LINES} consistency proof lines`);
    let bytes: Uint8Array;
    try {
      bytes = decodeBase64(line);
    } catch {
      throw new FormatError(`consistency proof line ${proof.length + 1} is not base64`);
    }
    if (bytes.length !== HASH_SIZE) throw new FormatError(`consistency proof line ${proof.length + 1} is not a 32-byte hash`);
    proof.push(asHash(bytes));
  }
  return { old: BigInt(old[1]!), proof, note: body.subarray(at) };
}

/** The note's text (up to its last blank line), without checking any signature. */
function noteText(note: Uint8Array): string {
  const decoded = new TextDecoder('utf-8', { fatal: true }).decode(note);
  const split = decoded.lastIndexOf('\n\n');
  if (split < 0) throw new FormatError('the checkpoint is not a signed note (no blank line before its signatures)');
  return decoded.slice(0, split + 1);
}
