// Evidence bundles (trailmark-evidence/1): written with the package's own line formatters from a
// real Merkle tree and a real signed checkpoint, then checked by the library and by
// `trailmark-verify bundle` (the built bin in a child process, as an auditor runs it).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeBase64,
  encodeBase64,
  evidenceEventLine,
  evidenceHeader,
  evidenceTrailer,
  FormatError,
  VerificationError,
  verifyEvidenceBundle,
  type EvidenceProgress,
} from '@trailmark/proofs';
import { runCli } from './support/run-cli.js';
import { makeLogKey, SignedLog } from './support/signed-log.js';

const ORIGIN = 'example.com/trailmark';
const key = makeLogKey(ORIGIN);
const SIZE = 3000;
const log = new SignedLog(key).growTo(SIZE);
const note = log.checkpoint();
const root = encodeBase64(log.tree.root());

/** The event line of leaf `index`, proven in the tree of `size` leaves. */
function eventLine(index: number, size = BigInt(SIZE), from: SignedLog = log): string {
  return evidenceEventLine({
    leafIndex: index,
    id: `main-${index}`,
    leaf: from.leaf(index),
    proof: from.tree.proveInclusion(BigInt(index), size),
  });
}

/** A bundle as lines ("\n" included): header, one line per index, trailer. */
function bundleLines(indexes: readonly number[] = range(SIZE), checkpoint = note): string[] {
  return [evidenceHeader(checkpoint), ...indexes.map((index) => eventLine(index)), evidenceTrailer(checkpoint, indexes.length)];
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Rewrites one line's JSON (the line at 1-based `lineNumber`). */
function editLine(lines: string[], lineNumber: number, edit: (value: Record<string, unknown>) => void): string[] {
  const copy = lines.slice();
  const value = JSON.parse(copy[lineNumber - 1]!) as Record<string, unknown>;
  edit(value);
  copy[lineNumber - 1] = `${JSON.stringify(value)}\n`;
  return copy;
}

function flipByte(bytes: Uint8Array, at: number): Uint8Array {
  const copy = bytes.slice();
  copy[at]! ^= 0x01;
  return copy;
}

/** Event `index` of a full bundle is on line index + 2 (the header is line 1). */
const lineOf = (index: number): number => index + 2;
const TRAILER_LINE = SIZE + 2;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'trailmark-bundle-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let fileCount = 0;
function file(content: string | string[]): string {
  const path = join(dir, `${fileCount++}-evidence.ndjson`);
  writeFileSync(path, Array.isArray(content) ? content.join('') : content);
  return path;
}

const bundle = (path: string, verifierKey = key.verifierKey) => runCli(['bundle', '--key', verifierKey, path]);

describe('line formatters', () => {
  test('write the exact bytes of the format', () => {
    const leaf = new TextEncoder().encode('{"id":"e-1"}');
    const hash = new Uint8Array(32).fill(7);
    expect(evidenceHeader('o\n1\nAA==\n\n— o x\n')).toBe(
      '{"format":"trailmark-evidence/1","checkpoint":"o\\n1\\nAA==\\n\\n— o x\\n"}\n',
    );
    expect(evidenceEventLine({ leafIndex: 5n, id: 'e-1', leaf, proof: [hash] })).toBe(
      `{"leafIndex":5,"id":"e-1","leaf":"${encodeBase64(leaf)}","proof":["${encodeBase64(hash)}"]}\n`,
    );
    expect(evidenceTrailer('n\n', 3)).toBe('{"end":true,"events":3,"checkpoint":"n\\n"}\n');
  });

  test('refuse an index or count that a JSON number cannot hold exactly', () => {
    expect(() => evidenceEventLine({ leafIndex: 1n << 53n, id: 'x', leaf: new Uint8Array(1), proof: [] })).toThrow(FormatError);
    expect(() => evidenceTrailer('n\n', -1)).toThrow(FormatError);
  });
});

describe('verifyEvidenceBundle', () => {
  test('a bundle of the formatters\' lines verifies; progress after the header and each event', async () => {
    const progress: EvidenceProgress[] = [];
    const result = await verifyEvidenceBundle(bundleLines(range(20)), key.verifierKey, { onProgress: (p) => progress.push(p) });
    expect(result.events).toBe(20);
    expect(result.checkpoint).toMatchObject({ origin: ORIGIN, size: BigInt(SIZE) });
    expect(progress.map((p) => p.events)).toEqual(range(21));
    expect(progress.at(-1)).toMatchObject({ line: 21, events: 20 });
  });

  test('the same bytes in chunks split anywhere, even inside a UTF-8 character of the note', async () => {
    const bytes = new TextEncoder().encode(bundleLines([0, 1, 2, 500, 2999]).join(''));
    for (const size of [1, 7, 4096]) {
      const chunks = (function* () {
        for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
      })();
      await expect(verifyEvidenceBundle(chunks, key.verifierKey)).resolves.toMatchObject({ events: 5 });
    }
  });

  test('a subset of the events (any increasing indexes) and an empty bundle verify', async () => {
    const every7th = range(SIZE).filter((i) => i % 7 === 3);
    await expect(verifyEvidenceBundle(bundleLines(every7th), key.verifierKey)).resolves.toMatchObject({ events: every7th.length });
    await expect(verifyEvidenceBundle(bundleLines([]), key.verifierKey)).resolves.toMatchObject({ events: 0 });
  });

  test('20,000 events stream through from an async generator: the bundle is never held', async () => {
    const count = 20_000;
    const big = new SignedLog(key).growTo(count);
    const bigNote = big.checkpoint();
    let produced = 0;
    async function* source(): AsyncGenerator<string> {
      yield evidenceHeader(bigNote);
      for (let index = 0; index < count; index++) {
        produced++;
        yield eventLine(index, big.tree.size, big);
      }
      yield evidenceTrailer(bigNote, count);
    }
    let lastProgress: EvidenceProgress | undefined;
    let maxAhead = 0;
    const result = await verifyEvidenceBundle(source(), key.verifierKey, {
      onProgress: (p) => {
        lastProgress = p;
        maxAhead = Math.max(maxAhead, produced - p.events);
      },
    });
    expect(result.events).toBe(count);
    expect(lastProgress).toMatchObject({ events: count, line: count + 1 });
    // Pulled one line at a time: the producer is never more than a line ahead of the verifier.
    expect(maxAhead).toBeLessThanOrEqual(1);
  });

  test('failures are VerificationError or FormatError naming the line and the event', async () => {
    const tampered = editLine(bundleLines(range(10)), lineOf(4), (line) => {
      line.leaf = encodeBase64(flipByte(decodeBase64(line.leaf as string), 3));
    });
    const failure = verifyEvidenceBundle(tampered, key.verifierKey);
    await expect(failure).rejects.toThrow(VerificationError);
    await expect(failure).rejects.toThrow(/^line 6 \(event main-4\): leaf 4 is not proven: computed root /);

    const malformed = bundleLines(range(10));
    malformed[3] = '{"leafIndex":2,\n';
    await expect(verifyEvidenceBundle(malformed, key.verifierKey)).rejects.toThrow(FormatError);
    await expect(verifyEvidenceBundle(malformed, key.verifierKey)).rejects.toThrow(/^line 4: not JSON/);
  });

  test("an error of the source itself passes through unchanged", async () => {
    const broken = new Error('disk on fire');
    async function* source(): AsyncGenerator<string> {
      yield evidenceHeader(note);
      throw broken;
    }
    await expect(verifyEvidenceBundle(source(), key.verifierKey)).rejects.toBe(broken);
  });
});

describe('trailmark-verify bundle', () => {
  const full = bundleLines();

  test(`a good bundle of ${SIZE} events verifies and the count is reported`, async () => {
    const run = await bundle(file(full));
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe(`OK bundle: ${SIZE} events verified against ${ORIGIN} size ${SIZE} root ${root}\n`);
  });

  test('"-" reads the bundle from stdin; --key may name a file', async () => {
    const keyFile = join(dir, 'log.vkey');
    writeFileSync(keyFile, `${key.verifierKey}\n`);
    const run = await runCli(['bundle', '--key', keyFile, '-'], { stdin: bundleLines(range(50)).join('') });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe(`OK bundle: 50 events verified against ${ORIGIN} size ${SIZE} root ${root}\n`);
  });

  /** Exit 1, nothing on stdout, and exactly one FAIL line on stderr matching `expected`. */
  async function expectFail(content: string | string[], expected: RegExp | string, verifierKey?: string): Promise<void> {
    const run = await bundle(file(content), verifierKey);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    if (typeof expected === 'string') expect(run.stderr).toBe(`FAIL bundle: ${expected}\n`);
    else expect(run.stderr).toMatch(expected);
    expect(run.stderr.split('\n')).toHaveLength(2);
  }

  test('a flipped byte in one leaf', async () => {
    const lines = editLine(full, lineOf(1234), (line) => {
      line.leaf = encodeBase64(flipByte(decodeBase64(line.leaf as string), 40));
    });
    await expectFail(lines, /^FAIL bundle: line 1236 \(event main-1234\): leaf 1234 is not proven: computed root \S+ does not match expected root /);
  });

  test('a wrong proof hash', async () => {
    const lines = editLine(full, lineOf(77), (line) => {
      const proof = line.proof as string[];
      proof[5] = encodeBase64(flipByte(decodeBase64(proof[5]!), 0));
    });
    await expectFail(lines, /^FAIL bundle: line 79 \(event main-77\): leaf 77 is not proven: computed root /);
  });

  test('a proof with a hash missing', async () => {
    const lines = editLine(full, lineOf(8), (line) => (line.proof as string[]).pop());
    await expectFail(lines, /^FAIL bundle: line 10 \(event main-8\): leaf 8 is not proven: inclusion proof has \d+ hashes/);
  });

  test('leafIndex values swapped between two lines', async () => {
    let lines = editLine(full, lineOf(10), (line) => (line.leafIndex = 11));
    lines = editLine(lines, lineOf(11), (line) => (line.leafIndex = 10));
    await expectFail(lines, /^FAIL bundle: line 12 \(event main-10\): leaf 11 is not proven: /);
  });

  test('two lines swapped: leaf indexes must strictly increase', async () => {
    const lines = full.slice();
    [lines[lineOf(10) - 1], lines[lineOf(11) - 1]] = [lines[lineOf(11) - 1]!, lines[lineOf(10) - 1]!];
    await expectFail(
      lines,
      "line 13 (event main-10): leafIndex 10 does not follow the previous event's 11: leaf indexes must strictly increase",
    );
  });

  test('an event repeated', async () => {
    const lines = [...full.slice(0, lineOf(5)), full[lineOf(5) - 1]!, ...full.slice(lineOf(5))];
    await expectFail(lines, /^FAIL bundle: line 8 \(event main-5\): leafIndex 5 does not follow the previous event's 5/);
  });

  test("a line whose id is not its leaf's", async () => {
    const lines = editLine(full, lineOf(300), (line) => (line.id = 'main-301'));
    await expectFail(lines, 'line 302 (event main-301): the leaf\'s id is "main-300", not the line\'s');
  });

  test('a truncated file: the trailer is missing', async () => {
    await expectFail(full.slice(0, -1), `line ${TRAILER_LINE}: truncated: the bundle ends after event main-${SIZE - 1} without its trailer line`);
  });

  test('a file cut in the middle of a line', async () => {
    const text = full.join('');
    const cut = text.slice(0, text.indexOf('\n', text.length / 2) + 40);
    await expectFail(cut, /^FAIL bundle: line \d+: truncated: the last line does not end with a newline/);
  });

  test('an event line missing: the trailer count differs', async () => {
    const lines = [...full.slice(0, lineOf(100) - 1), ...full.slice(lineOf(100))];
    await expectFail(lines, `line ${TRAILER_LINE - 1} (trailer): the trailer counts ${SIZE} events, the bundle holds ${SIZE - 1}`);
  });

  test('a trailer count that differs', async () => {
    const lines = [...full.slice(0, -1), evidenceTrailer(note, SIZE + 1)];
    await expectFail(lines, `line ${TRAILER_LINE} (trailer): the trailer counts ${SIZE + 1} events, the bundle holds ${SIZE}`);
  });

  test('a checkpoint signed by another key (same origin)', async () => {
    const forger = makeLogKey(ORIGIN);
    const forged = new SignedLog(forger).growTo(SIZE).checkpoint();
    await expectFail(bundleLines(range(3), forged), /^FAIL bundle: line 1 \(header\): checkpoint: note is not signed by any known key /);
  });

  test('a header and trailer with different checkpoints', async () => {
    const lines = [...full.slice(0, -1), evidenceTrailer(log.checkpoint(BigInt(SIZE - 1)), SIZE)];
    await expectFail(lines, `line ${TRAILER_LINE} (trailer): the trailer's checkpoint is not the header's`);
  });

  test('malformed JSON on a line', async () => {
    const lines = full.slice();
    lines[500] = `${lines[500]!.slice(0, 30)}\n`;
    await expectFail(lines, /^FAIL bundle: line 501: not JSON \(/);
  });

  test('an unexpected field on an event line', async () => {
    const lines = editLine(full, lineOf(2), (line) => (line.verified = true));
    await expectFail(lines, 'line 4 (event main-2): unexpected field "verified" (a line holds only leafIndex, id, leaf, proof)');
  });

  test('anything after the trailer', async () => {
    await expectFail([...full, eventLine(1)], `line ${TRAILER_LINE + 1}: there is more after the trailer line`);
  });

  test('a file that is not a bundle', async () => {
    await expectFail('{"format":"something-else/2"}\n', 'line 1 (header): not a trailmark-evidence/1 header (its format is "something-else/2")');
    await expectFail('', 'line 1: the bundle is empty');
  });

  test('a missing --key: exit 2 with a usage hint', async () => {
    const run = await runCli(['bundle', file(full)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("trailmark-verify: required option '--key <key>' not specified");
    expect(run.stderr).toContain('--help');
  });

  test('a missing file, a directory, a bad key: exit 2', async () => {
    const missing = join(dir, 'no-such-bundle');
    expect(await bundle(missing)).toMatchObject({ code: 2, stderr: `trailmark-verify: cannot read bundle file ${missing}: no such file\n` });
    expect(await bundle(dir)).toMatchObject({ code: 2, stderr: `trailmark-verify: cannot read bundle file ${dir}: it is a directory\n` });
    const badKey = await bundle(file(full), `${ORIGIN}+zzzz+AAAA`);
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toContain('is neither a file nor a verifier key');
  });

  test('bundle --help shows its options and an example; the program help lists it', async () => {
    const help = await runCli(['bundle', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--key <key>');
    expect(help.stdout).toContain('Example');
    expect(help.stdout).toContain('trailmark-verify bundle --key log.vkey evidence.ndjson');
    expect((await runCli(['--help'])).stdout).toMatch(/\bbundle\b/);
  });
});
