import {
  decodeBase64,
  FormatError,
  formatCheckpoint,
  formatTlogProof,
  parseTlogProof,
  VerificationError,
  verifyReceipt,
  type Hash,
} from '@trailmark/proofs';
import { flipBit, leaves, mth, path } from './naive-tree.js';
import { signNote, testKey } from './note-keys.js';

const log = testKey('log.example/trailmark', 3);
const witness = testKey('witness.example', 4);
const tree = leaves(13);
const checkpointFor = (size: number, extra: typeof log[] = []) =>
  signNote(formatCheckpoint({ origin: log.name, size: BigInt(size), root: mth(tree.slice(0, size)), extensions: [] }), [
    log,
    ...extra,
  ]);

describe('parseTlogProof / formatTlogProof', () => {
  const checkpoint = checkpointFor(13);
  const proof = path(6, tree);

  test('exact layout, without and with extra data', () => {
    const text = formatTlogProof({ index: 6n, proof, checkpoint });
    const hashLines = proof.map((h) => `${b64(h)}\n`).join('');
    expect(text).toBe(`c2sp.org/tlog-proof@v1\nindex 6\n${hashLines}\n${checkpoint}`);
    const extra = new TextEncoder().encode('age-v1.2.1-darwin-arm64.tar.gz');
    expect(formatTlogProof({ index: 6n, proof, checkpoint, extra })).toBe(
      `c2sp.org/tlog-proof@v1\nextra ${b64(extra)}\nindex 6\n${hashLines}\n${checkpoint}`,
    );
  });

  test.each([
    ['plain', { index: 6n, proof: path(6, tree), checkpoint: checkpointFor(13) }],
    ['extra data', { index: 6n, proof: path(6, tree), checkpoint: checkpointFor(13), extra: Uint8Array.of(1, 2, 3) }],
    ['empty extra data', { index: 6n, proof: path(6, tree), checkpoint: checkpointFor(13), extra: new Uint8Array(0) }],
    ['empty proof (tree of one)', { index: 0n, proof: [], checkpoint: checkpointFor(1) }],
    ['64-bit index', { index: (1n << 64n) - 2n, proof: [], checkpoint: checkpointFor(1) }],
    ['cosigned checkpoint', { index: 6n, proof: path(6, tree), checkpoint: checkpointFor(13, [witness]) }],
  ])('round trip: %s', (_, p) => {
    const text = formatTlogProof(p);
    expect(parseTlogProof(text)).toEqual(p);
    expect(formatTlogProof(parseTlogProof(text))).toBe(text);
  });

  const good = formatTlogProof({ index: 6n, proof, checkpoint });
  const lines = good.split('\n');
  test.each([
    ['another header', good.replace('@v1', '@v2')],
    ['a leading blank line', `\n${good}`],
    ['CRLF line ends', good.replace(/\n/g, '\r\n')],
    ['no index line', good.replace('index 6\n', '')],
    ['index with a leading zero', good.replace('index 6', 'index 06')],
    ['negative index', good.replace('index 6', 'index -6')],
    ['index over 64 bits', good.replace('index 6', 'index 18446744073709551616')],
    ['index without a space', good.replace('index 6', 'index6')],
    ['index with two spaces', good.replace('index 6', 'index  6')],
    ['extra after index', good.replace('index 6\n', 'index 6\nextra AQID\n')],
    ['extra with bad base64', good.replace('index 6\n', 'extra AQI\nindex 6\n')],
    ['a 31-byte hash', good.replace(lines[2]!, b64(proof[0]!.subarray(0, 31)))],
    ['a hash with bad base64', good.replace(lines[2]!, lines[2]!.slice(1))],
    ['no blank line before the checkpoint', good.replace('\n\nlog.example', '\nlog.example')],
    ['no checkpoint', good.slice(0, good.indexOf('\n\n') + 2)],
    ['a checkpoint without its final newline', good.slice(0, -1)],
    ['truncated header', 'c2sp.org/tlog-proof@v1'],
    ['empty', ''],
  ])('parse rejects %s', (_, text) => {
    expect(() => parseTlogProof(text)).toThrow(FormatError);
  });

  test('format rejects a negative index or a short hash', () => {
    expect(() => formatTlogProof({ index: -1n, proof, checkpoint })).toThrow(FormatError);
    expect(() => formatTlogProof({ index: 6n, proof: [proof[0]!.subarray(0, 31) as Hash], checkpoint })).toThrow(FormatError);
  });
});

describe('verifyReceipt', () => {
  const receipt = (index: number, size: number, proof: Hash[] = path(index, tree.slice(0, size))) =>
    formatTlogProof({ index: BigInt(index), proof, checkpoint: checkpointFor(size, [witness]) });

  test('every leaf of a 13-leaf log verifies against its receipt', () => {
    for (let index = 0; index < 13; index++) {
      const { checkpoint, index: got } = verifyReceipt(tree[index]!, receipt(index, 13), log.vkey);
      expect(got).toBe(BigInt(index));
      expect(checkpoint.size).toBe(13n);
      expect(checkpoint.root).toEqual(mth(tree));
    }
  });

  test('the wrong leaf bytes fail and name both roots', () => {
    expect(() => verifyReceipt(tree[4]!, receipt(5, 13), log.vkey)).toThrow(
      /^computed root \S+ does not match checkpoint root \S+ \(leaf index 5, tree size 13\)/,
    );
    expect(() => verifyReceipt(Uint8Array.of(...tree[5]!, 0), receipt(5, 13), log.vkey)).toThrow(VerificationError);
  });

  test('a tampered proof hash fails', () => {
    const proof = path(5, tree);
    proof[1] = flipBit(proof[1]!, 3);
    expect(() => verifyReceipt(tree[5]!, receipt(5, 13, proof), log.vkey)).toThrow(VerificationError);
  });

  test('a changed index fails', () => {
    const text = receipt(5, 13).replace('index 5', 'index 4');
    expect(() => verifyReceipt(tree[5]!, text, log.vkey)).toThrow(VerificationError);
  });

  test('an index outside the checkpoint fails', () => {
    const text = receipt(5, 13).replace('index 5', 'index 13');
    expect(() => verifyReceipt(tree[5]!, text, log.vkey)).toThrow(/leaf index 13 is outside a tree of size 13/);
  });

  test('a proof for another tree size fails on its length', () => {
    const text = formatTlogProof({ index: 5n, proof: path(5, tree.slice(0, 8)), checkpoint: checkpointFor(13) });
    expect(() => verifyReceipt(tree[5]!, text, log.vkey)).toThrow(/inclusion proof has 3 hashes, a tree of size 13 needs 4/);
  });

  test('a tampered checkpoint fails its signature', () => {
    const text = receipt(5, 13).replace(`\n13\n`, `\n14\n`);
    expect(() => verifyReceipt(tree[5]!, text, log.vkey)).toThrow(/invalid signature/);
  });

  test('another log key fails', () => {
    const other = testKey(log.name, 8);
    expect(() => verifyReceipt(tree[5]!, receipt(5, 13), other.vkey)).toThrow(/not signed by any known key/);
  });

  test('the extra line is not needed to verify and does not change the outcome', () => {
    const text = formatTlogProof({ index: 5n, proof: path(5, tree), checkpoint: checkpointFor(13), extra: decodeBase64('AQID') });
    expect(verifyReceipt(tree[5]!, text, log.vkey).index).toBe(5n);
  });

  test('a malformed receipt is a format error', () => {
    expect(() => verifyReceipt(tree[5]!, receipt(5, 13).replace('c2sp.org', 'c2sp.com'), log.vkey)).toThrow(FormatError);
  });
});

function b64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}
