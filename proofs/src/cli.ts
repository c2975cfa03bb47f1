// trailmark-verify: the auditor's command-line verifier. It is the only file of
// this package that does I/O (files, stdin, the network, a state directory); the
// checks themselves are the library's. Exit status: 0 verified, 1 verification
// failed (a proof, signature or checkpoint does not check out, or a monitored log
// shrank or forked; for `bundle`, anything wrong inside the bundle), 2 the input
// could not be read (bad file, option or usage).

import { createHash, hash as nativeHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { decodeBase64, encodeBase64 } from './base64.js';
import { openCheckpoint, type Checkpoint } from './checkpoint.js';
import { verifyConsistency } from './consistency.js';
import { FormatError, VerificationError } from './errors.js';
import { verifyEvidenceBundle } from './evidence-bundle.js';
import { asHash, equalHashes, hashLeaf, HASH_SIZE, type Hash } from './hash.js';
import { verifyInclusion } from './inclusion.js';
import { parseVerifierKey, type NoteVerifier } from './note.js';
import { verifyReceipt } from './receipt.js';
import { checkWitnessed, loadPolicy, POLICY_HELP } from './cli-policy.js';
import { parseTlogProof } from './tlog-proof.js';
import { verifyStreamLines } from './stream-file.js';
import { followLog, MissingTileError, type MonitorState, type TileFetcher } from './tile-monitor.js';
import type { Sha256 } from './tile-tree.js';

const PROGRAM = 'trailmark-verify';
const EXIT_VERIFIED = 0;
const EXIT_FAILED = 1;
const EXIT_BAD_INPUT = 2;
const HTTP_TIMEOUT_MS = 30_000;
/** Without a terminal, `bundle` prints a plain progress line this often (and nothing for shorter runs). */
const PLAIN_PROGRESS_MS = 5_000;

/** A file, stdin, the network or the state directory could not give what was asked (exit 2). */
class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** An evidence bundle failed; the message is the verdict line `FAIL bundle: ...` (exit 1). */
class BundleFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BundleFailure';
  }
}

/**
 * Runs the CLI on `argv` as Node gives it (`[node, script, ...args]`) and returns
 * the exit status. Writes the summary to stdout and failures to stderr.
 */
export async function main(argv: string[]): Promise<number> {
  let summary = '';
  const program = buildProgram((line) => {
    summary = line;
  });
  try {
    await program.parseAsync(argv, { from: 'node' });
  } catch (error) {
    return reportFailure(error);
  }
  if (summary !== '') process.stdout.write(`${summary}\n`);
  return EXIT_VERIFIED;
}

function reportFailure(error: unknown): number {
  // Commander has already printed its own message (or the help text).
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_VERIFIED : EXIT_BAD_INPUT;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof BundleFailure) {
    process.stderr.write(`${message}\n`);
    return EXIT_FAILED;
  }
  if (error instanceof VerificationError) {
    process.stderr.write(`${PROGRAM}: ${message}\n`);
    return EXIT_FAILED;
  }
  if (error instanceof FormatError || error instanceof InputError) {
    process.stderr.write(`${PROGRAM}: ${message}\n`);
    return EXIT_BAD_INPUT;
  }
  process.stderr.write(`${PROGRAM}: unexpected error: ${error instanceof Error ? error.stack : message}\n`);
  return EXIT_BAD_INPUT;
}

// ---------------------------------------------------------------------------
// Commands

const KEY_HELP = 'the log\'s verifier key "<name>+<8 hex>+<base64>", or a file holding it';

function buildProgram(report: (summary: string) => void): Command {
  const program = new Command(PROGRAM)
    .description(
      'Verify a Trailmark log: signed checkpoints, inclusion proofs, consistency proofs, receipts and ' +
        'evidence bundles (offline), and monitor a live log for forks.',
    )
    .version(packageVersion())
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, `${PROGRAM}: `)) })
    .showHelpAfterError(`(run ${PROGRAM} --help for usage)`)
    .addHelpText(
      'after',
      '\nExit status: 0 verified, 1 verification failed (or the log shrank or forked), 2 bad input or usage.\n' +
        'Files may be given as "-" to read stdin.',
    );

  program
    .command('checkpoint')
    .description("check a signed checkpoint's signature and print its origin, size and root")
    .requiredOption('--key <key>', KEY_HELP)
    .option('--policy <file>', POLICY_HELP)
    .argument('<checkpoint>', 'signed checkpoint file, or - for stdin')
    .addHelpText(
      'after',
      `\nExample:\n  curl -s https://log.example.com/v1/log/checkpoint | ${PROGRAM} checkpoint --key log.vkey -`,
    )
    .action(async (file: string, options: { key: string; policy?: string }) => {
      const verifier = loadVerifier(options.key);
      const policy = options.policy === undefined ? undefined : loadPolicy(options.policy);
      const note = await readInput(file, 'checkpoint');
      const checkpoint = openCheckpointFile(note, file, verifier);
      const witnessed = checkWitnessed(note, verifier, policy, `checkpoint ${file}`);
      report(`OK checkpoint ${describe(checkpoint)}${witnessed}`);
    });

  program
    .command('inclusion')
    .description('check that a leaf is in the tree of a signed checkpoint, at a given index')
    .requiredOption('--key <key>', KEY_HELP)
    .requiredOption('--checkpoint <file>', 'signed checkpoint the proof leads to')
    .requiredOption('--index <n>', 'leaf index (decimal, from 0)', parseIndex)
    .requiredOption('--leaf <file>', 'leaf bytes, exactly as logged (the JCS envelope)')
    .requiredOption('--proof <file>', 'inclusion proof: base64 hashes, one a line')
    .addHelpText(
      'after',
      `\nExample:\n  ${PROGRAM} inclusion --key log.vkey --checkpoint checkpoint.txt --index 41 --leaf leaf.json --proof proof.txt`,
    )
    .action(async (options: { key: string; checkpoint: string; index: bigint; leaf: string; proof: string }) => {
      assertOneStdin({ '--checkpoint': options.checkpoint, '--leaf': options.leaf, '--proof': options.proof });
      const verifier = loadVerifier(options.key);
      const checkpoint = openCheckpointFile(await readInput(options.checkpoint, 'checkpoint'), options.checkpoint, verifier);
      const leaf = await readInput(options.leaf, 'leaf');
      const proof = parseProofLines(await readInputText(options.proof, 'proof'), `proof ${options.proof}`);
      try {
        verifyInclusion(options.index, checkpoint.size, hashLeaf(leaf), proof, checkpoint.root);
      } catch (error) {
        throw withContext(error, `leaf ${options.index} is not proven in ${describe(checkpoint)}`, leafHint(leaf));
      }
      report(`OK inclusion of leaf ${options.index} in ${describe(checkpoint)}`);
    });

  program
    .command('consistency')
    .description('check that a newer signed checkpoint extends an older one (the log only grew)')
    .requiredOption('--key <key>', KEY_HELP)
    .requiredOption('--old <file>', 'the older signed checkpoint')
    .requiredOption('--new <file>', 'the newer signed checkpoint')
    .requiredOption('--proof <file>', 'consistency proof: base64 hashes, one a line')
    .option('--policy <file>', `${POLICY_HELP} (both checkpoints)`)
    .addHelpText(
      'after',
      `\nExample:\n  ${PROGRAM} consistency --key log.vkey --old checkpoint-1000.txt --new checkpoint-2000.txt --proof proof.txt`,
    )
    .action(async (options: { key: string; old: string; new: string; proof: string; policy?: string }) => {
      assertOneStdin({ '--old': options.old, '--new': options.new, '--proof': options.proof });
      const verifier = loadVerifier(options.key);
      const policy = options.policy === undefined ? undefined : loadPolicy(options.policy);
      const olderNote = await readInput(options.old, 'old checkpoint');
      const newerNote = await readInput(options.new, 'new checkpoint');
      const older = openCheckpointFile(olderNote, options.old, verifier);
      const newer = openCheckpointFile(newerNote, options.new, verifier);
      checkWitnessed(olderNote, verifier, policy, `old checkpoint ${options.old}`);
      const witnessed = checkWitnessed(newerNote, verifier, policy, `new checkpoint ${options.new}`);
      const proof = parseProofLines(await readInputText(options.proof, 'proof'), `proof ${options.proof}`);
      try {
        verifyConsistency(older.size, newer.size, proof, older.root, newer.root);
      } catch (error) {
        throw withContext(error, `checkpoint of size ${newer.size} is not consistent with the one of size ${older.size}`);
      }
      report(`OK consistency ${newer.origin} size ${older.size} → ${newer.size} root ${encodeBase64(newer.root)}${witnessed}`);
    });

  program
    .command('receipt')
    .description('check a receipt (a C2SP tlog-proof: index, inclusion proof and signed checkpoint) for a leaf')
    .requiredOption('--key <key>', KEY_HELP)
    .requiredOption('--leaf <file>', 'leaf bytes, exactly as logged (the JCS envelope)')
    .option('--policy <file>', POLICY_HELP)
    .argument('<tlog-proof>', 'tlog-proof file, or - for stdin')
    .addHelpText(
      'after',
      `\nExample:\n  curl -s -H "Authorization: Bearer $TOKEN" https://log.example.com/v1/events/$ID | jq -r .leaf | base64 -d > leaf.json\n` +
        `  curl -s -H "Authorization: Bearer $TOKEN" -H 'Accept: text/x.tlog-proof' \\\n` +
        `    https://log.example.com/v1/events/$ID/proof > receipt.txt\n` +
        `  ${PROGRAM} receipt --key log.vkey --leaf leaf.json receipt.txt`,
    )
    .action(async (file: string, options: { key: string; leaf: string; policy?: string }) => {
      assertOneStdin({ '--leaf': options.leaf, '<tlog-proof>': file });
      const verifier = loadVerifier(options.key);
      const policy = options.policy === undefined ? undefined : loadPolicy(options.policy);
      const leaf = await readInput(options.leaf, 'leaf');
      const receipt = await readInputText(file, 'tlog-proof');
      let verified: { checkpoint: Checkpoint; index: bigint };
      try {
        verified = verifyReceipt(leaf, receipt, verifier);
      } catch (error) {
        throw withContext(error, `receipt ${file}`, leafHint(leaf));
      }
      const witnessed = checkWitnessed(parseTlogProof(receipt).checkpoint, verifier, policy, `receipt ${file}`);
      report(`OK receipt: leaf ${verified.index} in ${describe(verified.checkpoint)}${witnessed}`);
    });

  program
    .command('bundle')
    .summary('check an evidence bundle: every event in it is in the tree of its signed checkpoint')
    .description(
      'Check a trailmark-evidence/1 bundle (NDJSON: a header with a signed checkpoint, one line per event ' +
        'with its leaf and inclusion proof, a trailer with the count), as GET /v1/events/export?format=evidence ' +
        'serves it. The file is read as a stream: any size, constant memory. Anything wrong inside the bundle, ' +
        'including a malformed or missing line, fails it (exit 1) naming the line and the event.',
    )
    .requiredOption('--key <key>', KEY_HELP)
    .option('--policy <file>', POLICY_HELP)
    .argument('<bundle>', 'evidence bundle file, or - for stdin')
    .addHelpText(
      'after',
      `\nExample:\n  curl -s -H "Authorization: Bearer $TOKEN" "https://log.example.com/v1/events/export?format=evidence" > evidence.ndjson\n` +
        `  ${PROGRAM} bundle --key log.vkey evidence.ndjson\n` +
        `  # OK bundle: 1204 events verified against log.example.com/log size 1204 root x9Vd…=`,
    )
    .action(async (file: string, options: { key: string; policy?: string }) => {
      const verifier = loadVerifier(options.key);
      const policy = options.policy === undefined ? undefined : loadPolicy(options.policy);
      const input = openStream(file, 'bundle');
      let witnessed = '';
      const progress = bundleProgress(input.size);
      let verified: { checkpoint: Checkpoint; events: number };
      try {
        verified = await verifyEvidenceBundle(input.chunks, verifier, {
          onProgress: ({ events }) => progress.update(events, input.bytesRead()),
          ...(policy !== undefined && { onCheckpoint: (note: string) => (witnessed = checkWitnessed(note, verifier, policy, 'header checkpoint')) }),
        });
      } catch (error) {
        if (error instanceof VerificationError || error instanceof FormatError) {
          throw new BundleFailure(`FAIL bundle: ${error.message}`);
        }
        throw error;
      } finally {
        progress.stop();
      }
      report(`OK bundle: ${verified.events} events verified against ${describe(verified.checkpoint)}${witnessed}`);
    });

  program
    .command('stream')
    .description("check a log-stream receiver's NDJSON file: every record proven in the log, every batch's range complete, no gap")
    .requiredOption('--key <key>', KEY_HELP)
    .option('--from <n>', 'the batches must cover leaves from this index', parseIndex)
    .option('--to <n>', 'the batches must cover leaves below this index', parseIndex)
    .argument('<file>', 'the NDJSON lines the receiver kept (records and batch trailers), or - for stdin')
    .addHelpText('after', `\nExample:\n  ${PROGRAM} stream --key log.vkey --from 0 received.ndjson`)
    .action(async (file: string, options: { key: string; from?: bigint; to?: bigint }) => {
      const verifier = loadVerifier(options.key);
      const lines = (await readInputText(file, 'stream file')).split('\n');
      const summary = verifyStreamLines(lines, verifier, { ...(options.from !== undefined && { from: options.from }), ...(options.to !== undefined && { to: options.to }) });
      const unconfirmed = summary.unconfirmed > 0 ? `; ${summary.unconfirmed} records of batches that never closed ignored` : '';
      report(
        `OK stream ${summary.stream} of tenant ${summary.tenant}: leaves [${summary.from}, ${summary.to}) complete, ` +
          `${summary.records} records in ${summary.batches} batches, proven in the log up to tree size ${summary.treeSize}${unconfirmed}`,
      );
    });

  program
    .command('monitor')
    .summary("follow a log through its public tiles API: every new entry and tile checked against its checkpoint")
    .description(
      "Fetch the log's signed checkpoint from its C2SP tlog-tiles API (--url), check that it extends the last one " +
        'this monitor verified (kept in --state), download the entry bundles and hash tiles it adds, rebuild the tree ' +
        'from the entries and check every tile and the root against the checkpoint. Reads nothing but the tiles ' +
        'API, so it works against any static copy (`trailmark tiles export`), over http(s) or file://. Exit 1 ' +
        'means the log shrank, forked, or serves entries or tiles that are not those it signed; the conflicting ' +
        'checkpoint is kept as evidence. With --follow it keeps polling.\n\n' +
        'Legacy form: `monitor <url>` checks only checkpoints and consistency proofs through the /v1/log API, ' +
        'with --state naming a directory.',
    )
    .argument('[url]', 'legacy: the log base URL, e.g. https://log.example.com (its /v1/log API)')
    .requiredOption('--key <key>', KEY_HELP)
    .option('--url <prefix>', "the log's tiles prefix, e.g. https://log.example.com/log/ or file:///srv/log/")
    .option('--state <path>', `the state file (default ~/.${PROGRAM}/<origin>/${TILES_STATE_FILE}); legacy form: a directory`)
    .option('--follow', 'keep polling, verifying each new checkpoint, until a check fails')
    .option('--interval <seconds>', 'seconds between two polls with --follow', parseSeconds, 10)
    .option('--token <token>', `a bearer token for logs that serve entry bundles to auditors only (default: $${TOKEN_ENV})`)
    .addHelpText(
      'after',
      `\nExamples:\n  ${PROGRAM} monitor --url https://log.example.com/log/ --key /etc/trailmark/log.vkey\n` +
        `  ${PROGRAM} monitor --url https://log.example.com/log/ --key log.vkey --follow --interval 30\n` +
        `  ${PROGRAM} monitor --url file:///srv/trailmark-tiles/ --key log.vkey --state tiles-state.json`,
    )
    .action(async (url: string | undefined, options: { key: string; url?: string; state?: string; follow?: boolean; interval: number; token?: string }) => {
      const verifier = loadVerifier(options.key);
      const token = options.token ?? (process.env[TOKEN_ENV] || undefined);
      if (options.url !== undefined) {
        if (url !== undefined) throw new InputError('give the log either as --url <tiles prefix> or as the legacy <url>, not both');
        const prefix = parseTilesPrefix(options.url);
        const statePath = options.state ?? join(defaultStateDir(verifier.name), TILES_STATE_FILE);
        if (!options.follow) {
          report(await monitorTiles(prefix, verifier, statePath, token));
          return;
        }
        await followTiles(prefix, verifier, statePath, options.interval * 1000, token);
        return;
      }
      if (url === undefined) throw new InputError('give the log\'s tiles prefix with --url (e.g. --url https://log.example.com/log/)');
      if (options.follow) throw new InputError('--follow needs --url: the legacy form checks once');
      report(await monitor(parseBaseUrl(url), verifier, options.state ?? defaultStateDir(verifier.name)));
    });

  for (const command of program.commands) {
    command.showHelpAfterError(`(run ${PROGRAM} ${command.name()} --help for usage and an example)`);
  }
  return program;
}

function describe(checkpoint: Checkpoint): string {
  return `${checkpoint.origin} size ${checkpoint.size} root ${encodeBase64(checkpoint.root)}`;
}

function parseIndex(value: string): bigint {
  if (!/^[0-9]+$/.test(value)) throw new InvalidArgumentError('the index must be a non-negative decimal integer.');
  return BigInt(value);
}

function packageVersion(): string {
  // dist/cli.js → ../package.json, the package this file ships in.
  const manifest: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const version = (manifest as { version?: unknown }).version;
  return typeof version === 'string' ? version : 'unknown';
}

/**
 * Re-throws a library error with what was being checked in front of its message,
 * keeping its class (and so the exit status).
 */
function withContext(error: unknown, context: string, hint = ''): unknown {
  if (error instanceof VerificationError) return new VerificationError(`${context}: ${error.message}${hint}`);
  if (error instanceof FormatError) return new FormatError(`${context}: ${error.message}`);
  return error;
}

/** A leaf saved with `echo` or an editor gains a newline, and then hashes differently. */
function leafHint(leaf: Uint8Array): string {
  return leaf.at(-1) === 0x0a
    ? ' (the leaf file ends in a newline: leaf bytes are hashed exactly as stored, check it belongs there)'
    : '';
}

// ---------------------------------------------------------------------------
// Inputs: files, stdin, keys, proofs

/** Reads a command input: a file, or stdin for "-". */
async function readInput(path: string, what: string): Promise<Uint8Array> {
  if (path !== '-') return readFileOrThrow(path, what);
  const chunks: Uint8Array[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array);
  return new Uint8Array(Buffer.concat(chunks));
}

async function readInputText(path: string, what: string): Promise<string> {
  return decodeUtf8(await readInput(path, what), `${what} ${path === '-' ? 'from stdin' : path}`);
}

/** Checked before reading anything: stdin can feed one input only. */
function assertOneStdin(inputs: Record<string, string>): void {
  const fromStdin = Object.keys(inputs).filter((name) => inputs[name] === '-');
  if (fromStdin.length > 1) {
    throw new InputError(`${fromStdin.join(' and ')} both read stdin ("-"): only one input can come from stdin`);
  }
}

/**
 * A file (or stdin for "-") as a stream of chunks, for inputs too large to hold. Opening
 * errors are thrown here, read errors while streaming as InputError too.
 */
function openStream(path: string, what: string): { chunks: AsyncIterable<Uint8Array>; size: number | undefined; bytesRead(): number } {
  let bytes = 0;
  let size: number | undefined;
  let stream: AsyncIterable<unknown>;
  if (path === '-') {
    stream = process.stdin;
  } else {
    let fd: number;
    try {
      fd = openSync(path, 'r');
      const stats = fstatSync(fd);
      if (stats.isDirectory()) {
        closeSync(fd);
        throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      }
      // A pipe (e.g. <(curl ...)) has no size: progress then counts events only.
      if (stats.isFile()) size = stats.size;
    } catch (error) {
      throw new InputError(`cannot read ${what} file ${path}: ${systemReason(error)}`);
    }
    stream = createReadStream(path, { fd, highWaterMark: 1024 * 1024 });
  }
  const source = path === '-' ? `${what} from stdin` : `${what} file ${path}`;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    const iterator = stream[Symbol.asyncIterator]();
    try {
      for (;;) {
        let next: IteratorResult<unknown>;
        try {
          next = await iterator.next();
        } catch (error) {
          throw new InputError(`cannot read ${source}: ${systemReason(error)}`);
        }
        if (next.done === true) return;
        const chunk = next.value as Uint8Array;
        bytes += chunk.length;
        yield chunk;
      }
    } finally {
      // Stops reading (and closes the file) when verification stops early.
      await iterator.return?.();
    }
  }
  return { chunks: chunks(), size, bytesRead: () => bytes };
}

/**
 * Progress of `bundle` on stderr: a bar over the file's bytes on a terminal (a count of
 * events when reading a pipe); otherwise a plain line every PLAIN_PROGRESS_MS.
 */
function bundleProgress(totalBytes: number | undefined): { update(events: number, bytes: number): void; stop(): void } {
  const stream = process.stderr;
  const sized = totalBytes !== undefined && totalBytes > 0;
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: sized
          ? 'verifying {bar} {percentage}% | {events} events | {eta_formatted} left'
          : 'verifying | {events} events | {duration_formatted}',
        hideCursor: true,
        etaBuffer: 50,
        fps: 10,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(sized ? totalBytes : 0, 0, { events: 0 });
    // Fed every ~100 ms, not every event: the ETA is computed over the last updates.
    let lastUpdate = 0;
    const latest = { events: 0, bytes: 0 };
    return {
      update: (events, bytes) => {
        latest.events = events;
        latest.bytes = bytes;
        const now = Date.now();
        if (now - lastUpdate < 100) return;
        lastUpdate = now;
        bar.update(bytes, { events });
      },
      stop: () => {
        bar.update(latest.bytes, { events: latest.events });
        bar.stop();
      },
    };
  }
  let last = Date.now();
  return {
    update: (events, bytes) => {
      const now = Date.now();
      if (now - last < PLAIN_PROGRESS_MS) return;
      last = now;
      const share = sized ? ` (${Math.floor((100 * bytes) / totalBytes)}% of the file)` : '';
      stream.write(`${PROGRAM}: bundle: ${events} events verified so far${share}\n`);
    },
    stop: () => {},
  };
}

function readFileOrThrow(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    throw new InputError(`cannot read ${what} file ${path}: ${systemReason(error)}`);
  }
}

function systemReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

function decodeUtf8(bytes: Uint8Array, source: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new FormatError(`${source} is not UTF-8 text`);
  }
}

/**
 * `--key` holds either the verifier key itself or the path of a file holding it.
 * A file that exists wins; otherwise the value must parse as a key.
 */
function loadVerifier(value: string): NoteVerifier {
  if (isFile(value)) {
    const text = decodeUtf8(readFileOrThrow(value, 'key'), `key file ${value}`).trim();
    try {
      return parseVerifierKey(text);
    } catch (error) {
      throw withContext(error, `key file ${value} does not hold a verifier key "<name>+<8 hex>+<base64>"`);
    }
  }
  try {
    return parseVerifierKey(value.trim());
  } catch (error) {
    throw withContext(error, `--key ${JSON.stringify(value)} is neither a file nor a verifier key "<name>+<8 hex>+<base64>"`);
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function openCheckpointFile(note: Uint8Array, source: string, verifier: NoteVerifier): Checkpoint {
  try {
    return openCheckpoint(note, verifier);
  } catch (error) {
    throw withContext(error, `checkpoint ${source === '-' ? 'from stdin' : source}`);
  }
}

/** Proof files hold one base64 hash a line; blank lines and CR before LF are ignored. */
function parseProofLines(text: string, source: string): Hash[] {
  const hashes: Hash[] = [];
  text.split('\n').forEach((rawLine, lineIndex) => {
    const line = rawLine.trim();
    if (line !== '') hashes.push(decodeHash(line, `${source} line ${lineIndex + 1}`));
  });
  return hashes;
}

function decodeHash(text: string, source: string): Hash {
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(text);
  } catch (error) {
    throw withContext(error, `${source} is not a base64 hash`);
  }
  if (bytes.length !== HASH_SIZE) {
    throw new FormatError(`${source} is not a hash: it decodes to ${bytes.length} bytes, a hash has ${HASH_SIZE}`);
  }
  return asHash(bytes);
}

// ---------------------------------------------------------------------------
// monitor: fetch, compare with the stored checkpoint, keep the newest verified one

const STATE_FILE = 'checkpoint';

async function monitor(baseUrl: string, verifier: NoteVerifier, stateDir: string): Promise<string> {
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

function parseBaseUrl(text: string): string {
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

async function httpGet(url: string): Promise<Uint8Array> {
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

function networkReason(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${HTTP_TIMEOUT_MS / 1000} s`;
  // fetch reports "fetch failed" and puts the system error (ECONNREFUSED, ENOTFOUND, ...) in `cause`.
  const cause = error instanceof Error ? (error.cause as NodeJS.ErrnoException | undefined) : undefined;
  if (cause?.code !== undefined) return cause.message ? `${cause.code} (${cause.message})` : cause.code;
  if (cause?.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** `GET /v1/log/proof/consistency?from=M&to=N` → `{"from":M,"to":N,"proof":["<base64>",...]}`. */
async function fetchConsistencyProof(baseUrl: string, from: bigint, to: bigint): Promise<Hash[]> {
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
function sameSize(value: unknown, expected: bigint): boolean {
  if (typeof value === 'number') return Number.isSafeInteger(value) && BigInt(value) === expected;
  if (typeof value === 'string') return /^[0-9]+$/.test(value) && BigInt(value) === expected;
  return false;
}

/**
 * ~/.trailmark-verify/<origin>, with every character that is not safe in a file
 * name written as %XX of its UTF-8 bytes (so two origins never share a directory),
 * and long names shortened with a hash.
 */
function defaultStateDir(origin: string): string {
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
function loadStoredCheckpoint(path: string, verifier: NoteVerifier): Checkpoint | undefined {
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

function storeCheckpoint(stateDir: string, path: string, note: Uint8Array): void {
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
function keepEvidence(stateDir: string, note: Uint8Array, size: bigint): string {
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
function writeFileAtomic(path: string, data: Uint8Array): void {
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

// ---------------------------------------------------------------------------
// monitor --url: follow the log through its tiles API (the checks are followLog's)

/** Where the monitor finds a bearer token when --token is not given: a token on a command line is seen by every user. */
const TOKEN_ENV = 'TRAILMARK_TOKEN';
const TILES_STATE_FILE = 'tiles-state.json';
const TILES_STATE_FORMAT = 'trailmark-monitor-state/1';

/** node:crypto's one-shot SHA-256 (OpenSSL): the library's own @noble/hashes is three times slower per leaf. */
const nodeSha256: Sha256 = (data) => nativeHash('sha256', data, 'buffer');

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(value) || seconds <= 0) throw new InvalidArgumentError('give a positive number of seconds.');
  return seconds;
}

/** The prefix with one trailing slash: http(s), or file: for a directory written by `trailmark tiles export`. */
function parseTilesPrefix(text: string): string {
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

function tileFetcher(prefix: string, token: string | undefined): TileFetcher {
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
async function monitorTiles(prefix: string, verifier: NoteVerifier, statePath: string, token: string | undefined): Promise<string> {
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
async function followTiles(prefix: string, verifier: NoteVerifier, statePath: string, intervalMs: number, token: string | undefined): Promise<never> {
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

/** Progress of a monitor run on stderr: a bar over the new entries on a terminal, else a plain line every PLAIN_PROGRESS_MS. */
function monitorProgress(total: bigint): { update(entries: bigint): void; stop(): void } {
  const stream = process.stderr;
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream, format: 'verifying {bar} {percentage}% | {value}/{total} entries | {eta_formatted} left', hideCursor: true, etaBuffer: 50, fps: 10 },
      cliProgress.Presets.shades_classic,
    );
    bar.start(Number(total), 0);
    return { update: (entries) => bar.update(Number(entries)), stop: () => bar.stop() };
  }
  let last = Date.now();
  return {
    update: (entries) => {
      const now = Date.now();
      if (now - last < PLAIN_PROGRESS_MS) return;
      last = now;
      stream.write(`${PROGRAM}: monitor: ${entries} of ${total} new entries verified\n`);
    },
    stop: () => {},
  };
}

/**
 * The state file: the last verified checkpoint and that size's partial tiles. The checkpoint is verified
 * with the key again, and followLog checks that the tiles give its root: an edited file does not pass.
 */
function loadTilesState(path: string, verifier: NoteVerifier): MonitorState | undefined {
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

function storeTilesState(path: string, note: Uint8Array, state: MonitorState): void {
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
