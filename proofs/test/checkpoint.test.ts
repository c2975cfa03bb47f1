import {
  asHash,
  FormatError,
  formatCheckpoint,
  hashLeaf,
  openCheckpoint,
  parseCheckpoint,
  parseVerifierKey,
  VerificationError,
  type Checkpoint,
} from '@trailmark/proofs';
import { signNote, testKey } from './note-keys.js';

const root = hashLeaf(new TextEncoder().encode('root'));

describe('parseCheckpoint / formatCheckpoint', () => {
  test('C2SP tlog-checkpoint example body', () => {
    const text = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
    const c = parseCheckpoint(text);
    expect(c.origin).toBe('example.com/behind-the-sofa');
    expect(c.size).toBe(20852163n);
    expect(c.extensions).toEqual([]);
    expect(formatCheckpoint(c)).toBe(text);
  });

  test.each([
    ['empty tree', { origin: 'log.example', size: 0n, root, extensions: [] }],
    ['largest 64-bit size', { origin: 'log.example', size: (1n << 64n) - 1n, root, extensions: [] }],
    ['size beyond 2^53', { origin: 'log.example', size: 9007199254740993n, root, extensions: [] }],
    ['extension lines in order', { origin: 'log.example/a', size: 5n, root, extensions: ['ext one', 'ext two'] }],
    ['origin with spaces (allowed by the spec)', { origin: 'my log', size: 1n, root, extensions: [] }],
  ] as [string, Checkpoint][])('round trip: %s', (_, c) => {
    const text = formatCheckpoint(c);
    expect(parseCheckpoint(text)).toEqual(c);
    expect(formatCheckpoint(parseCheckpoint(text))).toBe(text);
  });

  test('format writes the exact layout', () => {
    expect(formatCheckpoint({ origin: 'o', size: 12n, root, extensions: ['x'] })).toBe(`o\n12\n${encode(root)}\nx\n`);
  });

  const body = (size: string, rootLine = encode(root), origin = 'log.example') => `${origin}\n${size}\n${rootLine}\n`;
  test.each([
    ['leading zero', body('012'), /leading zeroes/],
    ['"00"', body('00'), /leading zeroes/],
    ['sign', body('+5'), /decimal/],
    ['negative', body('-1'), /decimal/],
    ['space in size', body(' 5'), /decimal/],
    ['hex size', body('0x5'), /decimal/],
    ['size over 64 bits', body('18446744073709551616'), /does not fit in 64 bits/],
    ['empty size', body(''), /decimal/],
    ['empty origin', body('5', encode(root), ''), /origin is empty/],
    ['bad base64 root', body('5', encode(root).slice(0, -1)), /root hash/],
    ['non-canonical base64 root', body('5', nonCanonical(encode(root))), /root hash/],
    ['31-byte root', body('5', encode(root.subarray(0, 31))), /31 bytes, expected 32/],
    ['33-byte root', body('5', encode(Uint8Array.from([...root, 0]))), /33 bytes/],
    ['missing final newline', body('5').slice(0, -1), /does not end with a newline/],
    ['only two lines', 'log.example\n5\n', /3|needs origin/],
    ['empty extension line', `${body('5')}\n`, /extension line 1 is empty/],
    ['empty extension line between others', `${body('5')}a\n\nb\n`, /extension line 2 is empty/],
    ['carriage return', body('5').replace('\n', '\r\n'), /control character/],
  ])('parse rejects %s', (_, text, message) => {
    expect(() => parseCheckpoint(text)).toThrow(FormatError);
    expect(() => parseCheckpoint(text)).toThrow(message);
  });

  test.each([
    ['empty origin', { origin: '', size: 1n, root, extensions: [] }],
    ['newline in origin', { origin: 'a\nb', size: 1n, root, extensions: [] }],
    ['negative size', { origin: 'a', size: -1n, root, extensions: [] }],
    ['short root', { origin: 'a', size: 1n, root: root.subarray(0, 31), extensions: [] }],
    ['empty extension', { origin: 'a', size: 1n, root, extensions: [''] }],
  ] as [string, Checkpoint][])('format rejects %s', (_, c) => {
    expect(() => formatCheckpoint(c)).toThrow(FormatError);
  });

  test('the root is a 32-byte Hash', () => {
    expect(parseCheckpoint(body('5')).root).toEqual(asHash(root));
  });
});

describe('openCheckpoint', () => {
  const log = testKey('log.example/trailmark', 3);
  const witness = testKey('witness.example', 4);
  const text = formatCheckpoint({ origin: log.name, size: 42n, root, extensions: [] });

  test('opens a checkpoint signed by the log, with a verifier key string or object', () => {
    const note = signNote(text, [log]);
    expect(openCheckpoint(note, log.vkey)).toEqual({ origin: log.name, size: 42n, root, extensions: [] });
    expect(openCheckpoint(new TextEncoder().encode(note), parseVerifierKey(log.vkey)).size).toBe(42n);
  });

  test('witness cosignatures are ignored', () => {
    expect(openCheckpoint(signNote(text, [witness, log]), log.vkey).size).toBe(42n);
  });

  test('a checkpoint whose origin is not the key name is refused', () => {
    const other = testKey('other.example', 5);
    const note = signNote(text, [other]);
    expect(() => openCheckpoint(note, other.vkey)).toThrow(
      new VerificationError('checkpoint origin "log.example/trailmark" does not match the log key name "other.example"'),
    );
  });

  test('a checkpoint not signed by the log key is refused', () => {
    expect(() => openCheckpoint(signNote(text, [witness]), log.vkey)).toThrow(VerificationError);
  });

  test('a tampered size or root is refused', () => {
    const note = signNote(text, [log]);
    expect(() => openCheckpoint(note.replace('\n42\n', '\n43\n'), log.vkey)).toThrow(VerificationError);
    const otherRoot = encode(hashLeaf(Uint8Array.of(1)));
    expect(() => openCheckpoint(note.replace(encode(root), otherRoot), log.vkey)).toThrow(VerificationError);
  });

  test('a signed body that is not a checkpoint is a format error', () => {
    expect(() => openCheckpoint(signNote(`${log.name}\n042\n${encode(root)}\n`, [log]), log.vkey)).toThrow(FormatError);
  });
});

function encode(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** The same 32 bytes with one of the 2 unused bits of the last base64 character set. */
function nonCanonical(base64: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const last = base64.length - 2;
  return `${base64.slice(0, last)}${alphabet[alphabet.indexOf(base64[last]!) ^ 1]}=`;
}
