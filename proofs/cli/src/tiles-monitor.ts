// monitor --url: follow the log through its tiles API (the checks are followLog's).
import { hash as nativeHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Checkpoint, decodeBase64, encodeBase64, followLog, MissingTileError, type MonitorState, type NoteVerifier, openCheckpoint, type Sha256, type TileFetcher, VerificationError } from '@trailmark/proofs';
import { InputError } from './cli-errors.js';
import { systemReason } from './inputs.js';
import { HTTP_TIMEOUT_MS, keepEvidence, networkReason, writeFileAtomic } from './log-monitor.js';
import { PROGRAM, TOKEN_ENV } from './names.js';
import { monitorProgress } from './progress.js';
import { openCheckpointFile } from './verifier-inputs.js';

export const TILES_STATE_FILE = 'tiles-state.json';

export const TILES_STATE_FORMAT = 'trailmark-monitor-state/1';

/** node:crypto's one-shot SHA-256 (OpenSSL): the library's own @noble/hashes is three times slower per leaf. */
export const nodeSha256: Sha256 = (data) => nativeHash('sha256', data, 'buffer');

/** The prefix with one trailing slash: http(s), or file: for a directory written by `trailmark tiles export`. */
export function parseTilesPrefix(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InputError(`${JSON.stringify(text)} is not a URL (expected e.g. https://log.example.com/log/)`);
  }
  if (!['https:', 'http:', 'file:'].includes(url.protocol)) throw new InputError(`${text}: only http, https and file URLs are supported`);
  if (url.search !== '' || url.hash !== '') throw new InputError(`${text}: give the tiles prefix, without query or fragment`);
  return url.href.replace(/\/*$/, '/');
}

export function tileFetcher(prefix: string, token: string | undefined): TileFetcher {
  if (prefix.startsWith('file:')) {
    const root = fileURLToPath(prefix);
    return async (path) => {
      try {
        return new Uint8Array(await readFile(join(root, path)));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
        throw new InputError(`cannot read ${join(root, path)}: ${systemReason(error)}`);
      }
    };
  }
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  // fetch asks for gzip and undoes the Content-Encoding the log answers with.
  return async (path) => {
    const url = `${prefix}${path}`;
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS), redirect: 'follow', headers });
    } catch (error) {
      throw new InputError(`GET ${url} failed: ${networkReason(error)}`);
    }
    if (response.status === 404 || response.status === 410) {
      await response.body?.cancel();
      return undefined;
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw new InputError(`GET ${url} answered HTTP ${response.status}: this log serves its entry bundles to auditors only; give an auditor token with --token or $${TOKEN_ENV}`);
    }
    if (response.status !== 200) throw new InputError(`GET ${url} answered HTTP ${response.status} ${response.statusText}`.trimEnd());
    try {
      return new Uint8Array(await response.arrayBuffer());
    } catch (error) {
      throw new InputError(`GET ${url} failed while reading the body: ${networkReason(error)}`);
    }
  };
}

/** One run: returns the summary line; throws VerificationError (exit 1) on anything inconsistent. */
export async function monitorTiles(prefix: string, verifier: NoteVerifier, statePath: string, token: string | undefined): Promise<string> {
  const fetchTile = tileFetcher(prefix, token);
  const checkpointUrl = `${prefix}checkpoint`;
  const note = await fetchTile('checkpoint');
  if (note === undefined) throw new InputError(`${checkpointUrl} is not there (HTTP 404 or no such file)`);
  const served = openCheckpointFile(note, checkpointUrl, verifier);
  const stored = loadTilesState(statePath, verifier);
  const log = served.origin;
  const start = stored?.checkpoint.size ?? 0n;
  const progress = monitorProgress(served.size > start ? served.size - start : 0n);
  let verified: Awaited<ReturnType<typeof followLog>>;
  try {
    verified = await followLog({
      fetch: fetchTile,
      checkpoint: served,
      ...(stored && { from: stored }),
      sha256: nodeSha256,
      prefetch: 16,
      onProgress: ({ entries }) => progress.update(entries),
    });
  } catch (error) {
    if (error instanceof MissingTileError) throw new InputError(`${prefix}: ${error.message}`);
    if (!(error instanceof VerificationError)) throw error;
    const evidence = keepEvidence(dirname(statePath), note, served.size);
    throw new VerificationError(`${log}: ${error.message}; kept the verified state in ${statePath}, ${evidence}`);
  } finally {
    progress.stop();
  }
  storeTilesState(statePath, note, verified.state);
  const root = encodeBase64(served.root);
  if (verified.entries === 0n) return `${log}: unchanged, size ${served.size} root ${root}`;
  const span = stored ? `${start} → ${served.size}` : `0 → ${served.size} (first run: the whole log)`;
  return (
    `${log}: verified ${verified.entries} new entries, ${span}: ${verified.bundles} entry bundles and ${verified.tiles} tiles ` +
    `match the checkpoint, root ${root}`
  );
}

/** --follow: a summary line per change on stdout; unreachable logs are reported and retried; a failed check ends it. */
export async function followTiles(prefix: string, verifier: NoteVerifier, statePath: string, intervalMs: number, token: string | undefined): Promise<never> {
  let last = '';
  for (;;) {
    try {
      const summary = await monitorTiles(prefix, verifier, statePath, token);
      if (summary !== last) process.stdout.write(`${new Date().toISOString()} ${summary}\n`);
      last = summary;
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      process.stderr.write(`${PROGRAM}: ${error.message} (retrying in ${intervalMs / 1000} s)\n`);
      last = '';
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * The state file: the last verified checkpoint and that size's partial tiles. The checkpoint is verified
 * with the key again, and followLog checks that the tiles give its root: an edited file does not pass.
 */
export function loadTilesState(path: string, verifier: NoteVerifier): MonitorState | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InputError(`cannot read the monitor state ${path}: ${systemReason(error)}`);
  }
  const damaged = (reason: string): InputError =>
    new InputError(`the monitor state ${path} ${reason}; if the log really changed its key, move that file away to start over`);
  let parsed: { format?: unknown; checkpoint?: unknown; partialTiles?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw damaged('is not JSON');
  }
  if (parsed.format !== TILES_STATE_FORMAT || typeof parsed.checkpoint !== 'string' || !Array.isArray(parsed.partialTiles)) {
    throw damaged(`is not a ${TILES_STATE_FORMAT} document`);
  }
  let checkpoint: Checkpoint;
  try {
    checkpoint = openCheckpoint(parsed.checkpoint, verifier);
  } catch (error) {
    throw damaged(`holds a checkpoint that does not open with this key (${error instanceof Error ? error.message : String(error)})`);
  }
  const edge = parsed.partialTiles.map((tile: unknown, i) => {
    if (typeof tile !== 'string') throw damaged(`has a partial tile ${i} that is not a string`);
    return decodeBase64(tile);
  });
  return { checkpoint, edge };
}

export function storeTilesState(path: string, note: Uint8Array, state: MonitorState): void {
  const document = {
    format: TILES_STATE_FORMAT,
    checkpoint: new TextDecoder().decode(note),
    partialTiles: state.edge.map((tile) => encodeBase64(tile)),
  };
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileAtomic(path, new TextEncoder().encode(`${JSON.stringify(document, null, 1)}\n`));
  } catch (error) {
    throw new InputError(`cannot store the monitor state in ${path}: ${systemReason(error)}`);
  }
}
