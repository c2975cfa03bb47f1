// trailmark-verify, driven as an auditor drives it: the built bin in a child
// process, real files in a temporary directory, real trees and real signatures,
// and for `monitor` a real HTTP server that the test grows, forks and shrinks.

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeBase64, encodeBase64, formatTlogProof, type Hash } from '@trailmark/proofs';
import { runCli } from './support/run-cli.js';
import { makeLogKey, SignedLog } from './support/signed-log.js';

const ORIGIN = 'example.com/trailmark';
const key = makeLogKey(ORIGIN);
const log = new SignedLog(key).growTo(13);
const OLD_SIZE = 6n;
const INDEX = 7;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'trailmark-verify-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let fileCount = 0;
/** Writes `content` to a fresh file in the temporary directory and returns its path. */
function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, `${fileCount++}-${name}`);
  writeFileSync(path, content);
  return path;
}

function proofLines(hashes: readonly Uint8Array[]): string {
  return hashes.map((hash) => `${encodeBase64(hash)}\n`).join('');
}

/** Another spelling of the same-length base64: the first character carries 6 whole bits. */
function flipBase64(text: string): string {
  return (text[0] === 'A' ? 'B' : 'A') + text.slice(1);
}

function flipByte(bytes: Uint8Array, at: number): Uint8Array {
  const copy = bytes.slice();
  copy[at]! ^= 0x01;
  return copy;
}

/** Flips a bit in the root line (line 3) of a signed checkpoint. */
function tamperRoot(note: string): string {
  const lines = note.split('\n');
  lines[2] = flipBase64(lines[2]!);
  return lines.join('\n');
}

/** Flips a bit in the Ed25519 signature (after the 4-byte key id) of the first signature line. */
function tamperSignature(note: string): string {
  return note.replace(/^(— \S+ )(\S+)$/mu, (_line, prefix: string, signature: string) => {
    return prefix + encodeBase64(flipByte(decodeBase64(signature), 10));
  });
}

const expectedRoot = (size: bigint): string => encodeBase64(log.tree.root(size));

describe('checkpoint', () => {
  const note = log.checkpoint();

  test('a signed checkpoint verifies and its origin, size and root are printed', async () => {
    const run = await runCli(['checkpoint', '--key', key.verifierKey, file('checkpoint', note)]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe(`OK checkpoint ${ORIGIN} size 13 root ${expectedRoot(13n)}\n`);
  });

  test('"-" reads the checkpoint from stdin', async () => {
    const run = await runCli(['checkpoint', '--key', key.verifierKey, '-'], { stdin: note });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`OK checkpoint ${ORIGIN} size 13`);
  });

  test('--key can name a file holding the key, surrounding whitespace ignored', async () => {
    const run = await runCli(['checkpoint', '--key', file('log.vkey', `  ${key.verifierKey}\n\n`), file('checkpoint', note)]);
    expect(run.code).toBe(0);
  });

  test('a changed root fails the signature: exit 1', async () => {
    const run = await runCli(['checkpoint', '--key', key.verifierKey, file('checkpoint', tamperRoot(note))]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^trailmark-verify: checkpoint .*checkpoint: .+\n$/);
  });

  test('a changed signature: exit 1', async () => {
    const run = await runCli(['checkpoint', '--key', key.verifierKey, file('checkpoint', tamperSignature(note))]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^trailmark-verify: checkpoint /);
  });

  test('another key for the same origin: exit 1', async () => {
    const other = makeLogKey(ORIGIN);
    const run = await runCli(['checkpoint', '--key', other.verifierKey, file('checkpoint', note)]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^trailmark-verify: checkpoint /);
  });

  test("another log's key: exit 1", async () => {
    const other = makeLogKey('other.example/log');
    const run = await runCli(['checkpoint', '--key', other.verifierKey, file('checkpoint', note)]);
    expect(run.code).toBe(1);
  });

  test('a file that is not a signed note: exit 2', async () => {
    const run = await runCli(['checkpoint', '--key', key.verifierKey, file('checkpoint', 'hello\n')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^trailmark-verify: checkpoint /);
  });

  test('a missing file: exit 2, naming it', async () => {
    const missing = join(dir, 'no-such-checkpoint');
    const run = await runCli(['checkpoint', '--key', key.verifierKey, missing]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`trailmark-verify: cannot read checkpoint file ${missing}: no such file\n`);
  });

  test('a bad key string: exit 2', async () => {
    const run = await runCli(['checkpoint', '--key', `${ORIGIN}+zzzz+AAAA`, file('checkpoint', note)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is neither a file nor a verifier key');
  });

  test('a key with a wrong key id: exit 2', async () => {
    const [name, , publicKey] = key.verifierKey.split('+');
    const run = await runCli(['checkpoint', '--key', `${name}+00000000+${publicKey}`, file('checkpoint', note)]);
    expect(run.code).toBe(2);
  });

  test('a missing --key: exit 2 with a usage hint', async () => {
    const run = await runCli(['checkpoint', file('checkpoint', note)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("trailmark-verify: required option '--key <key>' not specified");
    expect(run.stderr).toContain('--help');
  });
});

describe('inclusion', () => {
  const checkpointFile = () => file('checkpoint', log.checkpoint());
  const leafFile = (index = INDEX) => file('leaf.json', log.leaf(index));
  const proofFile = (index = INDEX, size = log.tree.size) => file('proof', proofLines(log.tree.proveInclusion(BigInt(index), size)));
  const inclusion = (options: { checkpoint?: string; index?: string; leaf?: string; proof?: string; key?: string }) =>
    runCli([
      'inclusion',
      '--key', options.key ?? key.verifierKey,
      '--checkpoint', options.checkpoint ?? checkpointFile(),
      '--index', options.index ?? String(INDEX),
      '--leaf', options.leaf ?? leafFile(),
      '--proof', options.proof ?? proofFile(),
    ]);

  test('a leaf and its proof verify against the checkpoint', async () => {
    const run = await inclusion({});
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe(`OK inclusion of leaf ${INDEX} in ${ORIGIN} size 13 root ${expectedRoot(13n)}\n`);
  });

  test('every leaf of the tree verifies, first and last included', async () => {
    for (const index of [0, 12]) {
      const run = await inclusion({ index: String(index), leaf: leafFile(index), proof: proofFile(index) });
      expect(run.code).toBe(0);
    }
  });

  test('a one-leaf tree needs an empty proof file', async () => {
    const tiny = new SignedLog(key).growTo(1);
    const run = await inclusion({
      checkpoint: file('checkpoint', tiny.checkpoint()),
      index: '0',
      leaf: file('leaf', tiny.leaf(0)),
      proof: file('proof', ''),
    });
    expect(run.code).toBe(0);
  });

  test('a flipped byte in the leaf: exit 1', async () => {
    const run = await inclusion({ leaf: file('leaf', flipByte(log.leaf(INDEX), 20)) });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(new RegExp(`^trailmark-verify: leaf ${INDEX} is not proven in ${ORIGIN} size 13 .*computed root`));
  });

  test('a leaf saved with a trailing newline fails, and the message says why it may have', async () => {
    const run = await inclusion({ leaf: file('leaf', new TextDecoder().decode(log.leaf(INDEX)) + '\n') });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('ends in a newline');
  });

  test('a flipped bit in a proof hash: exit 1', async () => {
    const proof = log.tree.proveInclusion(BigInt(INDEX), log.tree.size);
    proof[1] = flipByte(proof[1]!, 0) as Hash;
    const run = await inclusion({ proof: file('proof', proofLines(proof)) });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('computed root');
  });

  test('a proof with a hash missing: exit 1', async () => {
    const proof = log.tree.proveInclusion(BigInt(INDEX), log.tree.size).slice(1);
    const run = await inclusion({ proof: file('proof', proofLines(proof)) });
    expect(run.code).toBe(1);
  });

  test('the right leaf and proof at the wrong index: exit 1', async () => {
    const run = await inclusion({ index: String(INDEX + 1) });
    expect(run.code).toBe(1);
  });

  test('an index beyond the tree: exit 1', async () => {
    const run = await inclusion({ index: '13' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('outside a tree of size 13');
  });

  test('a tampered checkpoint root: exit 1', async () => {
    const run = await inclusion({ checkpoint: file('checkpoint', tamperRoot(log.checkpoint())) });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^trailmark-verify: checkpoint /);
  });

  test('the wrong key: exit 1', async () => {
    const run = await inclusion({ key: makeLogKey(ORIGIN).verifierKey });
    expect(run.code).toBe(1);
  });

  test('a proof line that is not base64: exit 2, naming the line', async () => {
    const lines = proofLines(log.tree.proveInclusion(BigInt(INDEX), log.tree.size)).split('\n');
    lines[1] = 'not a hash!';
    const proof = file('proof', lines.join('\n'));
    const run = await inclusion({ proof });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^trailmark-verify: proof ${proof} line 2 is not a base64 hash`));
  });

  test('a proof line of the wrong length: exit 2', async () => {
    const proof = file('proof', `${encodeBase64(new Uint8Array(31))}\n`);
    const run = await inclusion({ proof });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`proof ${proof} line 1 is not a hash: it decodes to 31 bytes`);
  });

  test('CRLF line ends and blank lines in the proof file are accepted', async () => {
    const lines = proofLines(log.tree.proveInclusion(BigInt(INDEX), log.tree.size)).replace(/\n/g, '\r\n');
    const run = await inclusion({ proof: file('proof', `\r\n${lines}\r\n`) });
    expect(run.code).toBe(0);
  });

  test.each([['-1'], ['0x7'], ['7.0'], ['seven'], ['']])('index %j: exit 2', async (index) => {
    const run = await inclusion({ index });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('non-negative decimal');
  });

  test('a missing leaf file: exit 2', async () => {
    const run = await inclusion({ leaf: join(dir, 'missing-leaf') });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('cannot read leaf file');
  });

  test('a missing --proof option: exit 2', async () => {
    const run = await runCli(['inclusion', '--key', key.verifierKey, '--checkpoint', checkpointFile(), '--index', '1', '--leaf', leafFile()]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("required option '--proof <file>' not specified");
  });
});

describe('consistency', () => {
  const oldFile = () => file('old', log.checkpoint(OLD_SIZE));
  const newFile = () => file('new', log.checkpoint());
  const proofFile = () => file('proof', proofLines(log.tree.proveConsistency(OLD_SIZE, log.tree.size)));
  const consistency = (options: { old?: string; new?: string; proof?: string; key?: string }) =>
    runCli([
      'consistency',
      '--key', options.key ?? key.verifierKey,
      '--old', options.old ?? oldFile(),
      '--new', options.new ?? newFile(),
      '--proof', options.proof ?? proofFile(),
    ]);

  test('a newer checkpoint that extends the older one verifies', async () => {
    const run = await consistency({});
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe(`OK consistency ${ORIGIN} size 6 → 13 root ${expectedRoot(13n)}\n`);
  });

  test('the new checkpoint from stdin', async () => {
    const run = await runCli(
      ['consistency', '--key', key.verifierKey, '--old', oldFile(), '--new', '-', '--proof', proofFile()],
      { stdin: log.checkpoint() },
    );
    expect(run.code).toBe(0);
  });

  test('a flipped bit in a proof hash: exit 1', async () => {
    const proof = log.tree.proveConsistency(OLD_SIZE, log.tree.size);
    proof[0] = flipByte(proof[0]!, 31) as Hash;
    const run = await consistency({ proof: file('proof', proofLines(proof)) });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^trailmark-verify: checkpoint of size 13 is not consistent with the one of size 6: /);
  });

  test('a forked log (other leaves, same key) is not consistent: exit 1', async () => {
    const fork = new SignedLog(key, 'fork').growTo(13);
    const run = await consistency({ new: file('fork', fork.checkpoint()) });
    expect(run.code).toBe(1);
  });

  test('old and new swapped (the log shrank): exit 1', async () => {
    const run = await consistency({ old: newFile(), new: oldFile() });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('shrank');
  });

  test('a tampered signature on the new checkpoint: exit 1', async () => {
    const run = await consistency({ new: file('new', tamperSignature(log.checkpoint())) });
    expect(run.code).toBe(1);
  });

  test('a garbage proof line: exit 2', async () => {
    const run = await consistency({ proof: file('proof', '====\n') });
    expect(run.code).toBe(2);
  });

  test('two inputs from stdin: exit 2', async () => {
    const run = await consistency({ old: '-', new: '-' });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('trailmark-verify: --old and --new both read stdin ("-"): only one input can come from stdin\n');
  });

  test('a missing --old option: exit 2', async () => {
    const run = await runCli(['consistency', '--key', key.verifierKey, '--new', newFile(), '--proof', proofFile()]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("required option '--old <file>' not specified");
  });
});

describe('receipt', () => {
  const receiptFor = (index: number, proof = log.tree.proveInclusion(BigInt(index), log.tree.size)) =>
    formatTlogProof({ index: BigInt(index), proof, checkpoint: log.checkpoint() });

  test('a receipt verifies for its leaf', async () => {
    const run = await runCli(['receipt', '--key', key.verifierKey, '--leaf', file('leaf', log.leaf(INDEX)), file('receipt', receiptFor(INDEX))]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe(`OK receipt: leaf ${INDEX} in ${ORIGIN} size 13 root ${expectedRoot(13n)}\n`);
  });

  test('"-" reads the receipt from stdin', async () => {
    const run = await runCli(['receipt', '--key', key.verifierKey, '--leaf', file('leaf', log.leaf(3)), '-'], { stdin: receiptFor(3) });
    expect(run.code).toBe(0);
  });

  test('a flipped byte in the leaf: exit 1', async () => {
    const run = await runCli(['receipt', '--key', key.verifierKey, '--leaf', file('leaf', flipByte(log.leaf(INDEX), 0)), file('receipt', receiptFor(INDEX))]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^trailmark-verify: receipt /);
  });

  test("another leaf's receipt: exit 1", async () => {
    const run = await runCli(['receipt', '--key', key.verifierKey, '--leaf', file('leaf', log.leaf(INDEX)), file('receipt', receiptFor(INDEX - 1))]);
    expect(run.code).toBe(1);
  });

  test('a flipped bit in a proof hash of the receipt: exit 1', async () => {
    const proof = log.tree.proveInclusion(BigInt(INDEX), log.tree.size);
    proof[2] = flipByte(proof[2]!, 5) as Hash;
    const run = await runCli(['receipt', '--key', key.verifierKey, '--leaf', file('leaf', log.leaf(INDEX)), file('receipt', receiptFor(INDEX, proof))]);
    expect(run.code).toBe(1);
  });

  test('the wrong key: exit 1', async () => {
    const run = await runCli(['receipt', '--key', makeLogKey(ORIGIN).verifierKey, '--leaf', file('leaf', log.leaf(INDEX)), file('receipt', receiptFor(INDEX))]);
    expect(run.code).toBe(1);
  });

  test('a file that is not a tlog-proof: exit 2', async () => {
    const run = await runCli(['receipt', '--key', key.verifierKey, '--leaf', file('leaf', log.leaf(INDEX)), file('receipt', 'index 7\n')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^trailmark-verify: receipt /);
  });

  test('a missing --leaf option: exit 2', async () => {
    const run = await runCli(['receipt', '--key', key.verifierKey, file('receipt', receiptFor(INDEX))]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("required option '--leaf <file>' not specified");
  });
});

describe('usage', () => {
  test('--help lists the commands and the exit status', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['checkpoint', 'inclusion', 'consistency', 'receipt', 'monitor']) expect(run.stdout).toContain(command);
    expect(run.stdout).toContain('Exit status: 0 verified, 1 verification failed');
  });

  test.each([['checkpoint'], ['inclusion'], ['consistency'], ['receipt'], ['monitor']])('%s --help shows its options and an example', async (command) => {
    const run = await runCli([command, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--key <key>');
    expect(run.stdout).toContain(`Example`);
    expect(run.stdout).toContain(`trailmark-verify ${command}`);
  });

  test('no command: exit 2 with the help on stderr', async () => {
    const run = await runCli([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Usage: trailmark-verify');
  });

  test('an unknown command: exit 2', async () => {
    const run = await runCli(['verify-everything']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("trailmark-verify: unknown command 'verify-everything'");
  });

  test('--version prints the package version', async () => {
    const run = await runCli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('monitor', () => {
  /** What the test server serves; the tests swap the log, size and faults between runs. */
  const serving: { log: SignedLog; size: bigint; status: number; tamperProof: boolean } = {
    log: new SignedLog(key),
    size: 0n,
    status: 200,
    tamperProof: false,
  };
  const requests: string[] = [];
  let server: Server;
  let baseUrl: string;
  let stateDir: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      requests.push(url.pathname + url.search);
      if (serving.status !== 200) {
        response.writeHead(serving.status, { 'content-type': 'text/plain' }).end('unavailable\n');
      } else if (url.pathname === '/v1/log/checkpoint') {
        response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(serving.log.checkpoint(serving.size));
      } else if (url.pathname === '/v1/log/proof/consistency') {
        const from = BigInt(url.searchParams.get('from') ?? '');
        const to = BigInt(url.searchParams.get('to') ?? '');
        const proof = serving.log.tree.proveConsistency(from, to);
        if (serving.tamperProof) proof[0] = flipByte(proof[0]!, 7) as Hash;
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ from: Number(from), to: Number(to), proof: proof.map(encodeBase64) }));
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    stateDir = join(dir, 'monitor-state');
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const honest = new SignedLog(key);
  const serve = (served: SignedLog, size: number, faults: { status?: number; tamperProof?: boolean } = {}) => {
    if (served.tree.size < BigInt(size)) served.growTo(size);
    Object.assign(serving, { log: served, size: BigInt(size), status: faults.status ?? 200, tamperProof: faults.tamperProof ?? false });
    requests.length = 0;
  };
  const monitor = (extra: string[] = []) => runCli(['monitor', baseUrl, '--key', key.verifierKey, '--state', stateDir, ...extra]);
  const storedCheckpoint = () => readFileSync(join(stateDir, 'checkpoint'), 'utf8');

  // The steps below run in order against one state directory, as runs of a cron job would.

  test('first run: stores the checkpoint', async () => {
    serve(honest, 5);
    const run = await monitor();
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain(`${ORIGIN}: first checkpoint, size 5`);
    expect(storedCheckpoint()).toBe(honest.checkpoint(5n));
  });

  test('same checkpoint again: unchanged', async () => {
    const run = await monitor();
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${ORIGIN}: unchanged, size 5\n`);
  });

  test('the log grew: consistent, and the new checkpoint is stored', async () => {
    serve(honest, 12);
    const run = await monitor();
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain(`${ORIGIN}: consistent: 5 → 12`);
    expect(requests).toEqual(['/v1/log/checkpoint', '/v1/log/proof/consistency?from=5&to=12']);
    expect(storedCheckpoint()).toBe(honest.checkpoint(12n));
    expect(readdirSync(stateDir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  test('a forked log with another root for the same size: exit 1, state kept, evidence saved', async () => {
    const fork = new SignedLog(key, 'fork');
    serve(fork, 12);
    const run = await monitor();
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`trailmark-verify: ${ORIGIN}: log forked: two roots for size 12`);
    expect(storedCheckpoint()).toBe(honest.checkpoint(12n));
    const evidence = readdirSync(stateDir).filter((name) => name.startsWith('conflicting-checkpoint-size-12-'));
    expect(evidence).toHaveLength(1);
    expect(readFileSync(join(stateDir, evidence[0]!), 'utf8')).toBe(fork.checkpoint(12n));
  });

  test('a forked log that grew past the stored size: the proof fails, exit 1, state kept', async () => {
    serve(new SignedLog(key, 'fork'), 20);
    const run = await monitor();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`log forked: the checkpoint of size 20 is not consistent with the stored one of size 12`);
    expect(storedCheckpoint()).toBe(honest.checkpoint(12n));
  });

  test('a tampered consistency proof from the honest log: exit 1, state kept', async () => {
    serve(honest, 30, { tamperProof: true });
    const run = await monitor();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('log forked');
    expect(storedCheckpoint()).toBe(honest.checkpoint(12n));
  });

  test('a smaller tree: exit 1, log shrank', async () => {
    serve(honest, 8);
    const run = await monitor();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`trailmark-verify: ${ORIGIN}: log shrank from 12 to 8`);
    expect(storedCheckpoint()).toBe(honest.checkpoint(12n));
  });

  test('the honest log again, grown: consistent from the stored size', async () => {
    serve(honest, 30);
    const run = await monitor();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('consistent: 12 → 30');
    expect(storedCheckpoint()).toBe(honest.checkpoint(30n));
  });

  test('the wrong key: exit 1', async () => {
    const run = await runCli(['monitor', baseUrl, '--key', makeLogKey(ORIGIN).verifierKey, '--state', stateDir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`checkpoint ${baseUrl}/v1/log/checkpoint`);
  });

  test('a stored checkpoint edited behind the monitor: exit 2', async () => {
    const edited = join(dir, 'edited-state');
    copyState(stateDir, edited, tamperRoot);
    const run = await runCli(['monitor', baseUrl, '--key', key.verifierKey, '--state', edited]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('does not open with this key');
  });

  test('HTTP 503: exit 2 with the URL and status', async () => {
    serve(honest, 30, { status: 503 });
    const run = await monitor();
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`trailmark-verify: GET ${baseUrl}/v1/log/checkpoint answered HTTP 503 Service Unavailable\n`);
  });

  test('the server is down: exit 2 with the URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const run = await runCli(['monitor', deadUrl, '--key', key.verifierKey, '--state', stateDir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`trailmark-verify: GET ${deadUrl}/v1/log/checkpoint failed: ECONNREFUSED`);
  });

  test('not a URL: exit 2', async () => {
    const run = await runCli(['monitor', 'log.example.com', '--key', key.verifierKey, '--state', stateDir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is not a URL');
  });

  test('without --state, state goes to ~/.trailmark-verify/<origin>; an empty log needs no proof to grow from', async () => {
    const home = join(dir, 'home');
    const empty = new SignedLog(key);
    serve(empty, 0);
    const first = await runCli(['monitor', `${baseUrl}/`, '--key', key.verifierKey], { env: { HOME: home } });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('first checkpoint, size 0');
    const state = join(home, '.trailmark-verify', 'example.com%2Ftrailmark', 'checkpoint');
    expect(existsSync(state)).toBe(true);

    serve(empty, 4);
    const second = await runCli(['monitor', baseUrl, '--key', key.verifierKey], { env: { HOME: home } });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('consistent: 0 → 4');
    expect(requests).toEqual(['/v1/log/checkpoint']);
  });
});

/** Copies a monitor state directory's checkpoint into a new state directory, rewritten by `edit`. */
function copyState(from: string, to: string, edit: (note: string) => string): void {
  mkdirSync(to, { recursive: true });
  writeFileSync(join(to, 'checkpoint'), edit(readFileSync(join(from, 'checkpoint'), 'utf8')));
}
