import { FormatError, VerificationError } from '@trailmark/proofs';
import {
  addSignatures,
  generateNoteKey,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  type NoteSigner,
} from '@trailmark/checkpoint';

// From the documentation of Go's golang.org/x/mod/sumdb/note.
const GO_DOC_SIGNER_KEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_DOC_VERIFIER_KEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_DOC_TEXT =
  'If you think cryptography is the answer to your problem,\n' + "then you don't know what your problem is.\n";
const GO_DOC_NOTE =
  GO_DOC_TEXT +
  '\n' +
  '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';

// From C2SP signed-note (quoted in DESIGN.md); we have its verifier key only.
const C2SP_VERIFIER_KEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const C2SP_NOTE =
  'This is an example message.\n\n' +
  '— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';

function newKey(name: string) {
  const { signerKey, verifierKey } = generateNoteKey(name);
  return { signer: parseSignerKey(signerKey), verifier: parseVerifierKey(verifierKey) };
}

function signatureLines(note: string): string[] {
  return note.slice(note.lastIndexOf('\n\n') + 2, -1).split('\n');
}

describe('signNote', () => {
  test("signing Go's documented text with its documented key gives exactly its documented note", () => {
    expect(signNote(GO_DOC_TEXT, [parseSignerKey(GO_DOC_SIGNER_KEY)])).toBe(GO_DOC_NOTE);
  });

  test('generate → sign → open round trip', () => {
    const { signer, verifier } = newKey('log.example/a');
    const text = 'log.example/a\n42\nbmV2ZXIgbWluZA==\n';
    const note = signNote(text, [signer]);
    expect(note.startsWith(`${text}\n— log.example/a `)).toBe(true);
    const opened = openNote(note, [verifier]);
    expect(opened.text).toBe(text);
    expect(opened.verified).toHaveLength(1);
    expect(opened.verified[0]).toMatchObject({ name: 'log.example/a', keyId: signer.keyId });
    expect(opened.verified[0]!.signature).toHaveLength(64);
    expect(opened.unverified).toEqual([]);
  });

  test('signature line layout: "— <name> <base64(4-byte big-endian key id || 64-byte signature)>"', () => {
    const { signer } = newKey('layout');
    const [line] = signatureLines(signNote('x\n', [signer]));
    const match = /^\u2014 layout ([A-Za-z0-9+/]+=*)$/.exec(line!);
    expect(match).not.toBeNull();
    const bytes = Buffer.from(match![1]!, 'base64');
    expect(bytes).toHaveLength(68);
    expect(bytes.readUInt32BE(0)).toBe(signer.keyId);
  });

  test('texts holding blank lines and non-ASCII sign and open', () => {
    const { signer, verifier } = newKey('k');
    for (const text of ['\n', 'a\n\nb\n', 'a\n\n\n', 'ünïcödé — 日本語 😀\n', 'del \u007f is allowed\n']) {
      expect(openNote(signNote(text, [signer]), [verifier]).text).toBe(text);
    }
  });

  test('several signers: one line each, in the order given, each verifiable alone', () => {
    const keys = ['witness.example/one', 'witness.example/two', 'log.example/main'].map(newKey);
    const note = signNote('body\n', keys.map((k) => k.signer));
    const lines = signatureLines(note);
    expect(lines.map((l) => l.split(' ')[1])).toEqual(['witness.example/one', 'witness.example/two', 'log.example/main']);
    for (const key of keys) {
      const opened = openNote(note, [key.verifier]);
      expect(opened.verified.map((s) => s.name)).toEqual([key.signer.name]);
      expect(opened.unverified).toHaveLength(2);
    }
    expect(openNote(note, keys.map((k) => k.verifier)).verified).toHaveLength(3);
  });

  test('two keys with the same name are two signers', () => {
    const first = newKey('same');
    const second = newKey('same');
    const note = signNote('t\n', [first.signer, second.signer]);
    expect(openNote(note, [first.verifier, second.verifier]).verified).toHaveLength(2);
  });

  test('a tampered text no longer opens', () => {
    const { signer, verifier } = newKey('k');
    const note = signNote('amount 10\n', [signer]);
    expect(() => openNote(note.replace('10', '11'), [verifier])).toThrow(VerificationError);
  });

  test.each([
    ['no final newline', 'text', 'does not end in a newline'],
    ['the empty text', '', 'does not end in a newline'],
    ['a carriage return', 'windows\r\n', 'control character U+000d at offset 7'],
    ['a tab', 'a\tb\n', 'control character U+0009'],
    ['a NUL', 'a\u0000\n', 'control character U+0000'],
    ['a lone surrogate', 'a\ud800\n', 'lone surrogate'],
  ])('refuses a text with %s (FormatError)', (_case, text, message) => {
    const signer = parseSignerKey(GO_DOC_SIGNER_KEY);
    expect(() => signNote(text, [signer])).toThrow(FormatError);
    expect(() => signNote(text, [signer])).toThrow(message);
  });

  test('refuses no signers, a repeated signer, a bad signer name, a bad key id', () => {
    const signer = parseSignerKey(GO_DOC_SIGNER_KEY);
    expect(() => signNote('t\n', [])).toThrow('a note needs at least one signer');
    expect(() => signNote('t\n', [signer, signer])).toThrow('signer PeterNeumann+c74f20a3 is listed twice');
    const badName: NoteSigner = { ...signer, name: 'Peter Neumann' };
    expect(() => signNote('t\n', [badName])).toThrow('signer name "Peter Neumann" is empty or holds white space');
    const badId: NoteSigner = { ...signer, keyId: 2 ** 32 };
    expect(() => signNote('t\n', [badId])).toThrow('not a 32-bit unsigned integer');
  });

  test('refuses more signatures than openers read (100)', () => {
    const signers = Array.from({ length: 101 }, (_, i) => newKey(`w${i}`).signer);
    expect(() => signNote('t\n', signers)).toThrow('the note would carry 101 signatures; openers refuse more than 100');
    expect(() => signNote('t\n', signers.slice(0, 100))).not.toThrow();
  });

  test('refuses a note over the 1 MiB openers accept', () => {
    const signer = parseSignerKey(GO_DOC_SIGNER_KEY);
    expect(() => signNote(`${'x'.repeat(1024 * 1024)}\n`, [signer])).toThrow(/signed note would be \d+ bytes/);
  });
});

describe('addSignatures', () => {
  test("countersigns Go's documented note: its line kept byte for byte, ours appended, both verify", () => {
    const me = newKey('EnochRoot');
    const note = addSignatures(GO_DOC_NOTE, [me.signer]);
    expect(note.startsWith(GO_DOC_NOTE)).toBe(true);
    expect(signatureLines(note)).toHaveLength(2);
    const opened = openNote(note, [parseVerifierKey(GO_DOC_VERIFIER_KEY), me.verifier]);
    expect(opened.text).toBe(GO_DOC_TEXT);
    expect(opened.verified.map((s) => s.name)).toEqual(['PeterNeumann', 'EnochRoot']);
  });

  test('countersigns the C2SP example note', () => {
    const me = newKey('witness.example');
    const note = addSignatures(C2SP_NOTE, [me.signer]);
    expect(openNote(note, [parseVerifierKey(C2SP_VERIFIER_KEY), me.verifier]).verified).toHaveLength(2);
  });

  test('a key that already signed is not listed twice', () => {
    const peter = parseSignerKey(GO_DOC_SIGNER_KEY);
    // Ed25519 signatures are deterministic: re-signing yields the same line.
    expect(addSignatures(GO_DOC_NOTE, [peter])).toBe(GO_DOC_NOTE);
    const a = newKey('a');
    const b = newKey('b');
    const note = addSignatures(signNote('t\n', [a.signer, b.signer]), [a.signer]);
    expect(signatureLines(note).map((l) => l.split(' ')[1])).toEqual(['b', 'a']);
    expect(openNote(note, [a.verifier, b.verifier]).verified).toHaveLength(2);
  });

  test('replaces a broken signature by a key being added (as Go note.Sign does)', () => {
    const peter = parseSignerKey(GO_DOC_SIGNER_KEY);
    const broken = GO_DOC_NOTE.replace('x08go/ZJ', 'x08go/ZK');
    expect(() => openNote(broken, [parseVerifierKey(GO_DOC_VERIFIER_KEY)])).toThrow(VerificationError);
    expect(addSignatures(broken, [peter])).toBe(GO_DOC_NOTE);
  });

  test.each([
    ['no blank line', 'text\n— a AAAAAAA=\n', 'no blank line before its signatures'],
    ['no signature lines', 'text\n\n', 'no signature lines'],
    ['no final newline', GO_DOC_NOTE.slice(0, -1), 'do not end in a newline'],
    ['a hyphen for the dash', GO_DOC_NOTE.replace('—', '-'), 'signature line 1 does not start with "— "'],
    ['a bad key name', GO_DOC_NOTE.replace('— PeterNeumann', '— Peter+Neumann'), 'signature line 1: key name "Peter+Neumann"'],
    ['bad base64', GO_DOC_NOTE.replace(/=\n$/, '\n'), 'signature line 1: base64'],
    ['a too short signature', 'text\n\n— a AAAAAA==\n', 'signature line 1: signature is shorter'],
    ['a carriage return', GO_DOC_NOTE.replace(/\n$/, '\r\n'), 'control character U+000d'],
  ])('refuses a note with %s (FormatError)', (_case, note, message) => {
    const signer = newKey('me').signer;
    expect(() => addSignatures(note, [signer])).toThrow(FormatError);
    expect(() => addSignatures(note, [signer])).toThrow(message);
  });

  test('refuses to pass 100 signatures', () => {
    const signers = Array.from({ length: 100 }, (_, i) => newKey(`w${i}`).signer);
    expect(() => addSignatures(GO_DOC_NOTE, signers)).toThrow('the note would carry 101 signatures');
  });
});
