// monitor <url> (legacy): fetch, compare with the stored checkpoint, keep the newest verified one.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type Checkpoint, encodeBase64, equalHashes, FormatError, type Hash, type NoteVerifier, openCheckpoint, VerificationError, verifyConsistency } from '@trailmark/proofs';
import { InputError } from './cli-errors.js';
import { decodeUtf8, systemReason } from './inputs.js';
import { PROGRAM } from './names.js';
import { decodeHash, openCheckpointFile } from './verifier-inputs.js';

export const HTTP_TIMEOUT_MS = 30_000;

export const STATE_FILE = 'checkpoint';

export async function monitor(baseUrl: string, verifier: NoteVerifier, stateDir: string): Promise<string> {
  const checkpointUrl = `${baseUrl}/v1/log/checkpoint`;
  const servedNote = await httpGet(checkpointUrl);
  const served = openCheckpointFile(servedNote, checkpointUrl, verifier);
  const statePath = join(stateDir, STATE_FILE);
  const stored = loadStoredCheckpoint(statePath, verifier);
  const log = served.origin;

  if (stored === undefined) {
    storeCheckpoint(stateDir, statePath, servedNote);
    return `${log}: first checkpoint, size ${served.size}, root ${encodeBase64(served.root)} (stored in ${stateDir})`;
  }
  if (served.size < stored.size) {
    throw new VerificationError(
      `${log}: log shrank from ${stored.size} to ${served.size} (${checkpointUrl}); kept the stored checkpoint in ${stateDir}`,
    );
  }
  if (served.size === stored.size) {
    if (equalHashes(served.root, stored.root)) return `${log}: unchanged, size ${served.size}`;
    const evidence = keepEvidence(stateDir, servedNote, served.size);
    throw new VerificationError(
      `${log}: log forked: two roots for size ${served.size}: stored ${encodeBase64(stored.root)}, ` +
        `served ${encodeBase64(served.root)}; both are signed: kept the stored one in ${statePath}, ${evidence}`,
    );
  }

  // The empty tree is a prefix of every tree: nothing to fetch.
  const proof = stored.size === 0n ? [] : await fetchConsistencyProof(baseUrl, stored.size, served.size);
  try {
    verifyConsistency(stored.size, served.size, proof, stored.root, served.root);
  } catch (error) {
    if (!(error instanceof VerificationError)) throw error;
    const evidence = keepEvidence(stateDir, servedNote, served.size);
    throw new VerificationError(
      `${log}: log forked: the checkpoint of size ${served.size} is not consistent with the stored one of size ${stored.size} ` +
        `(${error.message}); kept the stored checkpoint in ${statePath}, ${evidence}`,
    );
  }
  storeCheckpoint(stateDir, statePath, servedNote);
  return `${log}: consistent: ${stored.size} → ${served.size}, root ${encodeBase64(served.root)}`;
}

export function parseBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InputError(`${JSON.stringify(text)} is not a URL (expected e.g. https://log.example.com)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError(`${text}: only http and https URLs are supported`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new InputError(`${text}: give the log's base URL, without query or fragment`);
  }
  return url.href.replace(/\/+$/, '');
}

export async function httpGet(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS), redirect: 'follow' });
  } catch (error) {
    throw new InputError(`GET ${url} failed: ${networkReason(error)}`);
  }
  if (response.status !== 200) {
    throw new InputError(`GET ${url} answered HTTP ${response.status} ${response.statusText}`.trimEnd());
  }
  try {
    return new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    throw new InputError(`GET ${url} failed while reading the body: ${networkReason(error)}`);
  }
}

export function networkReason(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${HTTP_TIMEOUT_MS / 1000} s`;
  // fetch reports "fetch failed" and puts the system error (ECONNREFUSED, ENOTFOUND, ...) in `cause`.
  const cause = error instanceof Error ? (error.cause as NodeJS.ErrnoException | undefined) : undefined;
  if (cause?.code !== undefined) return cause.message ? `${cause.code} (${cause.message})` : cause.code;
  if (cause?.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** `GET /v1/log/proof/consistency?from=M&to=N` → `{"from":M,"to":N,"proof":["<base64>",...]}`. */
export async function fetchConsistencyProof(baseUrl: string, from: bigint, to: bigint): Promise<Hash[]> {
  const url = `${baseUrl}/v1/log/proof/consistency?from=${from}&to=${to}`;
  const body = decodeUtf8(await httpGet(url), `response of ${url}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new FormatError(`response of ${url} is not JSON`);
  }
  const answer = parsed as { from?: unknown; to?: unknown; proof?: unknown };
  if (typeof answer !== 'object' || answer === null || !Array.isArray(answer.proof)) {
    throw new FormatError(`response of ${url} has no "proof" array`);
  }
  if (!sameSize(answer.from, from) || !sameSize(answer.to, to)) {
    throw new FormatError(
      `response of ${url} is for from=${String(answer.from)} to=${String(answer.to)}, not from=${from} to=${to}`,
    );
  }
  return answer.proof.map((entry: unknown, i) => {
    if (typeof entry !== 'string') throw new FormatError(`response of ${url}: proof[${i}] is not a string`);
    return decodeHash(entry, `response of ${url}: proof[${i}]`);
  });
}

/** Sizes arrive as JSON numbers, or as decimal strings when a server keeps them exact past 2^53. */
export function sameSize(value: unknown, expected: bigint): boolean {
  if (typeof value === 'number') return Number.isSafeInteger(value) && BigInt(value) === expected;
  if (typeof value === 'string') return /^[0-9]+$/.test(value) && BigInt(value) === expected;
  return false;
}

/**
 * ~/.trailmark-verify/<origin>, with every character that is not safe in a file
 * name written as %XX of its UTF-8 bytes (so two origins never share a directory),
 * and long names shortened with a hash.
 */
export function defaultStateDir(origin: string): string {
  let name = Array.from(origin, (char, i) =>
    /^[A-Za-z0-9_-]$/.test(char) || (char === '.' && i > 0)
      ? char
      : Array.from(Buffer.from(char, 'utf8'), (byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  ).join('');
  if (name.length > 120) {
    name = `${name.slice(0, 80)}-${createHash('sha256').update(origin).digest('hex').slice(0, 32)}`;
  }
  return join(homedir(), `.${PROGRAM}`, name);
}

/**
 * The stored checkpoint is re-verified with the key on every run: the state file
 * is the monitor's trust anchor, so a file edited behind its back must not pass.
 */
export function loadStoredCheckpoint(path: string, verifier: NoteVerifier): Checkpoint | undefined {
  let note: Uint8Array;
  try {
    note = new Uint8Array(readFileSync(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InputError(`cannot read the stored checkpoint ${path}: ${systemReason(error)}`);
  }
  try {
    return openCheckpoint(note, verifier);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InputError(
      `the stored checkpoint ${path} does not open with this key (${reason}); ` +
        'if the log really changed its key, move that file away to start over',
    );
  }
}

export function storeCheckpoint(stateDir: string, path: string, note: Uint8Array): void {
  try {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    writeFileAtomic(path, note);
  } catch (error) {
    throw new InputError(`cannot store the checkpoint in ${stateDir}: ${systemReason(error)}`);
  }
}

/**
 * A served checkpoint that conflicts with the stored one is signed evidence
 * against the log: keep it. Returns what became of it, for the report.
 */
export function keepEvidence(stateDir: string, note: Uint8Array, size: bigint): string {
  const path = join(stateDir, `conflicting-checkpoint-size-${size}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  try {
    writeFileAtomic(path, note);
  } catch (error) {
    return `could not save the served one: ${systemReason(error)}`;
  }
  return `saved the served one in ${path}`;
}

/**
 * Write to a temporary file in the same directory, flush it to disk, then rename
 * it over `path`: a crash leaves either the old file or the new one, never half.
 */
export function writeFileAtomic(path: string, data: Uint8Array): void {
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeFileSync(fd, data);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temporary);
    throw error;
  }
  closeSync(fd);
  renameSync(temporary, path);
}
