import { ed25519 } from '@noble/curves/ed25519.js';
import {
  decodeBase64,
  encodeBase64,
  FormatError,
  MAX_NOTE_SIGNATURES,
  MAX_NOTE_SIZE,
  noteKeyId,
  openNote,
  parseVerifierKey,
  VerificationError,
} from '@trailmark/proofs';
import { signatureLine, signNote, testKey } from './note-keys.js';

describe('published examples', () => {
  test('C2SP signed-note example', () => {
    const verifier = parseVerifierKey('example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k');
    expect(verifier.name).toBe('example.com/foo');
    expect(verifier.keyId).toBe(0x530d903a);
    const note =
      'This is an example message.\n\n' +
      '— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';
    const opened = openNote(note, [verifier]);
    expect(opened.text).toBe('This is an example message.\n');
    expect(opened.verified.map((s) => [s.name, s.keyId, s.signature.length])).toEqual([['example.com/foo', 0x530d903a, 64]]);
    expect(opened.unverified).toEqual([]);
  });

  // From the package documentation of golang.org/x/mod/sumdb/note.
  const skey = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
  const vkey = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
  const text =
    'If you think cryptography is the answer to your problem,\n' + "then you don't know what your problem is.\n";
  const peterLine =
    '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
  const enochLine =
    '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';

  test('Go note example: the signer key, verifier key and key id agree', () => {
    const seedBytes = decodeBase64(skey.split('+').slice(4).join('+'));
    expect(seedBytes[0]).toBe(1);
    const publicKey = ed25519.getPublicKey(seedBytes.slice(1));
    const keyBytes = Uint8Array.from([1, ...publicKey]);
    expect(noteKeyId('PeterNeumann', keyBytes)).toBe(0xc74f20a3);
    expect(`PeterNeumann+c74f20a3+${encodeBase64(keyBytes)}`).toBe(vkey);
    // Ed25519 is deterministic, so signing the text again gives the documented line.
    const signature = ed25519.sign(new TextEncoder().encode(text), seedBytes.slice(1));
    expect(signatureLine('PeterNeumann', 0xc74f20a3, signature)).toBe(peterLine);
  });

  test('Go note example: the signed note opens', () => {
    const opened = openNote(`${text}\n${peterLine}`, [parseVerifierKey(vkey)]);
    expect(opened.text).toBe(text);
    expect(opened.verified).toHaveLength(1);
    expect(opened.verified[0]!.keyId).toBe(0xc74f20a3);
  });

  test('Go note example: the doubly signed note lists the unknown EnochRoot signature as unverified', () => {
    const opened = openNote(`${text}\n${peterLine}${enochLine}`, [parseVerifierKey(vkey)]);
    expect(opened.verified.map((s) => s.name)).toEqual(['PeterNeumann']);
    expect(opened.unverified.map((s) => s.name)).toEqual(['EnochRoot']);
    expect(opened.unverified[0]!.keyId).toBe(0xaf0cfe78);
  });
});

describe('openNote', () => {
  const alice = testKey('alice.example/log', 1);
  const bob = testKey('bob.example', 2);
  const text = 'first line\nsecond line\n';

  test('bytes and strings open the same way', () => {
    const note = signNote(text, [alice]);
    const fromBytes = openNote(new TextEncoder().encode(note), [parseVerifierKey(alice.vkey)]);
    expect(fromBytes).toEqual(openNote(note, [parseVerifierKey(alice.vkey)]));
  });

  test('signatures from unknown keys are ignored and listed as unverified', () => {
    const opened = openNote(signNote(text, [bob, alice]), [parseVerifierKey(alice.vkey)]);
    expect(opened.verified.map((s) => s.name)).toEqual([alice.name]);
    expect(opened.unverified.map((s) => [s.name, s.keyId])).toEqual([[bob.name, bob.keyId]]);
  });

  test('a key sharing only the name (another key id) is unknown, not a bad signature', () => {
    const impostor = testKey(alice.name, 9);
    const opened = openNote(signNote(text, [impostor, alice]), [parseVerifierKey(alice.vkey)]);
    expect(opened.verified.map((s) => s.keyId)).toEqual([alice.keyId]);
    expect(opened.unverified.map((s) => s.keyId)).toEqual([impostor.keyId]);
  });

  test('a note signed only by unknown keys is rejected', () => {
    expect(() => openNote(signNote(text, [bob]), [parseVerifierKey(alice.vkey)])).toThrow(
      /note is not signed by any known key \(signed by bob\.example\+[0-9a-f]{8}; known: alice\.example\/log\+/,
    );
    expect(() => openNote(signNote(text, [bob]), [])).toThrow(VerificationError);
  });

  test('tampered text is rejected', () => {
    const note = signNote(text, [alice]).replace('second', 'Second');
    expect(() => openNote(note, [parseVerifierKey(alice.vkey)])).toThrow(
      new VerificationError(`invalid signature by key ${alice.vkey.split('+').slice(0, 2).join('+')}`),
    );
  });

  test('a bad signature from a known key rejects the note even if another known key signed', () => {
    const good = alice.signatureLine(text);
    const raw = decodeBase64(good.trim().split(' ')[2]!);
    raw[10]! ^= 1;
    const bad = signatureLine(bob.name, bob.keyId, raw.slice(4));
    const note = `${text}\n${good}${bad}`;
    expect(() => openNote(note, [parseVerifierKey(alice.vkey), parseVerifierKey(bob.vkey)])).toThrow(VerificationError);
    // With only alice known, bob's line is an unknown signature and is ignored.
    expect(openNote(note, [parseVerifierKey(alice.vkey)]).unverified).toHaveLength(1);
  });

  test('a known-key signature of the wrong length fails verification', () => {
    const note = `${text}\n${signatureLine(alice.name, alice.keyId, new Uint8Array(10))}`;
    expect(() => openNote(note, [parseVerifierKey(alice.vkey)])).toThrow(VerificationError);
  });

  test('repeated signatures by one known key: the first counts, later ones are skipped (as Go)', () => {
    const line = alice.signatureLine(text);
    const garbage = signatureLine(alice.name, alice.keyId, new Uint8Array(64).fill(7));
    const opened = openNote(`${text}\n${line}${line}${garbage}`, [parseVerifierKey(alice.vkey)]);
    expect(opened.verified).toHaveLength(1);
    // The first signature by a key is the one checked.
    expect(() => openNote(`${text}\n${garbage}${line}`, [parseVerifierKey(alice.vkey)])).toThrow(VerificationError);
  });

  test('identical unknown signature lines are listed once', () => {
    const bobLine = bob.signatureLine(text);
    const opened = openNote(`${text}\n${alice.signatureLine(text)}${bobLine}${bobLine}`, [parseVerifierKey(alice.vkey)]);
    expect(opened.unverified).toHaveLength(1);
  });

  test('the signatures follow the LAST blank line; the text may hold blank lines', () => {
    const withBlanks = 'a\n\nb\n\n\nc\n';
    const opened = openNote(signNote(withBlanks, [alice]), [parseVerifierKey(alice.vkey)]);
    expect(opened.text).toBe(withBlanks);
  });

  test('16 and up to 100 signatures are accepted, 101 are not', () => {
    const keys = Array.from({ length: 20 }, (_, i) => testKey(`witness${i}.example`, 10 + i));
    const opened = openNote(signNote(text, keys), keys.map((k) => parseVerifierKey(k.vkey)));
    expect(opened.verified).toHaveLength(20);

    const unknownLines = (count: number) =>
      Array.from({ length: count }, (_, i) => signatureLine(`w${i}.example`, i, new Uint8Array(64))).join('');
    const hundred = `${text}\n${alice.signatureLine(text)}${unknownLines(MAX_NOTE_SIGNATURES - 1)}`;
    expect(openNote(hundred, [parseVerifierKey(alice.vkey)]).unverified).toHaveLength(99);
    const tooMany = `${text}\n${alice.signatureLine(text)}${unknownLines(MAX_NOTE_SIGNATURES)}`;
    expect(() => openNote(tooMany, [parseVerifierKey(alice.vkey)])).toThrow(
      new FormatError('note has more than 100 signatures'),
    );
  });

  test('notes over MAX_NOTE_SIZE are rejected, as bytes or text', () => {
    expect(MAX_NOTE_SIZE).toBe(1 << 20);
    const big = 'x'.repeat(MAX_NOTE_SIZE) + '\n';
    const note = signNote(big, [alice]);
    expect(() => openNote(note, [parseVerifierKey(alice.vkey)])).toThrow(FormatError);
    expect(() => openNote(new TextEncoder().encode(note), [parseVerifierKey(alice.vkey)])).toThrow(/larger than/);
    // Multi-byte characters count as bytes.
    const wide = signNote('é'.repeat(MAX_NOTE_SIZE / 2) + '\n', [alice]);
    expect(() => openNote(wide, [parseVerifierKey(alice.vkey)])).toThrow(FormatError);
  });

  describe('malformed notes', () => {
    const good = signNote(text, [alice]);
    const line = alice.signatureLine(text);
    const cases: [string, string | Uint8Array][] = [
      ['no blank line', `${text}${line}`],
      ['no signature lines', `${text}\n`],
      ['no final newline', good.slice(0, -1)],
      ['a hyphen instead of the em dash', good.replace('—', '-')],
      ['an en dash instead of the em dash', good.replace('—', '–')],
      ['no space after the dash', good.replace('— ', '—')],
      ['two spaces before the signature', good.replace(`${alice.name} `, `${alice.name}  `)],
      ['an empty key name', good.replace(`— ${alice.name} `, '—  ')],
      ['a key name with a no-break space', good.replace(`— ${alice.name} `, '— a\u00a0b ')],
      ['a key name with a plus', good.replace(`— ${alice.name} `, '— a+b ')],
      ['no signature after the name', `${text}\n— ${alice.name}\n`],
      ['a signature of only a key id', `${text}\n${signatureLine(alice.name, alice.keyId, new Uint8Array(0))}`],
      ['unpadded base64', good.replace(/=\n$/, '\n')],
      ['a carriage return', good.replace('first line\n', 'first line\r\n')],
      ['a tab', good.replace('first line', 'first\tline')],
      ['a NUL', good.replace('first line', 'first\u0000line')],
      ['a trailing line that is not a signature', `${good}extra\n`],
      ['invalid UTF-8', Uint8Array.from([...new TextEncoder().encode(good).subarray(0, 3), 0xff, ...new TextEncoder().encode(good).subarray(3)])],
      ['a UTF-8 encoded surrogate', Uint8Array.from([0x61, 0xed, 0xa0, 0x80, ...new TextEncoder().encode(`\n\n${line}`)])],
      ['a lone surrogate in a string', `a\ud800${good}`],
    ];
    test.each(cases)('%s', (_, note) => {
      expect(() => openNote(note, [parseVerifierKey(alice.vkey)])).toThrow(FormatError);
    });
  });

  test('a blank line among the signatures moves the ones above it into the text (last split, as Go)', () => {
    const line = alice.signatureLine(text);
    expect(() => openNote(`${text}\n${line}\n${line}`, [parseVerifierKey(alice.vkey)])).toThrow(
      /invalid signature by key alice\.example\/log\+/,
    );
  });

  test('U+007F and non-ASCII text are allowed, and a byte-order mark is kept', () => {
    const unusual = '\ufeffcaf\u00e9 \u007f \u{1f600}\n';
    const opened = openNote(signNote(unusual, [alice]), [parseVerifierKey(alice.vkey)]);
    expect(opened.text).toBe(unusual);
  });

  test('two verifiers with the same name and key id are refused when they match a signature', () => {
    const v = parseVerifierKey(alice.vkey);
    expect(() => openNote(signNote(text, [alice]), [v, v])).toThrow(/more than one verifier key/);
  });
});

describe('parseVerifierKey', () => {
  const alice = testKey('alice.example/log', 1);
  const [name, id, key] = [alice.name, alice.vkey.split('+')[1]!, alice.vkey.split('+').slice(2).join('+')];

  test('parses name, key id, and a key whose base64 holds "+"', () => {
    const withPlus = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
    expect(parseVerifierKey(withPlus).name).toBe('PeterNeumann');
    const plusKey = Array.from({ length: 64 }, (_, i) => testKey(`k${i}`, 100 + i)).find((k) =>
      k.vkey.split('+').length > 3,
    )!;
    expect(parseVerifierKey(plusKey.vkey).keyId).toBe(plusKey.keyId);
  });

  test('accepts upper-case hex, as Go does', () => {
    expect(parseVerifierKey(`${name}+${id.toUpperCase()}+${key}`).keyId).toBe(alice.keyId);
  });

  test.each([
    ['no plus', 'alice'],
    ['one plus', `${name}+${id}`],
    ['empty name', `+${id}+${key}`],
    ['a space in the name', `alice example+${id}+${key}`],
    ['a 7-digit key id', `${name}+${id.slice(1)}+${key}`],
    ['a non-hex key id', `${name}+${id.slice(1)}g+${key}`],
    ['a key id that does not match', `${name}+00000000+${key}`],
    ['bad base64', `${name}+${id}+${key.slice(1)}`],
    ['no key bytes', `${name}+${id}+`],
  ])('rejects %s', (_, vkey) => {
    expect(() => parseVerifierKey(vkey)).toThrow(FormatError);
  });

  test('rejects other algorithms and other key lengths, after checking the id', () => {
    const pub = decodeBase64(key).slice(1);
    const withKeyBytes = (bytes: Uint8Array) =>
      `${name}+${noteKeyId(name, bytes).toString(16).padStart(8, '0')}+${encodeBase64(bytes)}`;
    expect(() => parseVerifierKey(withKeyBytes(Uint8Array.from([2, ...pub])))).toThrow(/signature type 2/);
    expect(() => parseVerifierKey(withKeyBytes(Uint8Array.from([1, ...pub.slice(1)])))).toThrow(/31 key bytes/);
  });
});
