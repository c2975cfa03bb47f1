import { FormatError } from '@trailmark/proofs';
import { generateNoteKey, parseSignerKey, parseVerifierKey, verifierKeyFor } from '@trailmark/checkpoint';

// The example key pair from the documentation of Go's golang.org/x/mod/sumdb/note.
const GO_DOC_SIGNER_KEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_DOC_VERIFIER_KEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';

describe('generateNoteKey', () => {
  test('makes Go note.GenerateKey shaped keys that parse back to the same key', () => {
    const { signerKey, verifierKey } = generateNoteKey('log.example/trailmark');
    expect(signerKey).toMatch(/^PRIVATE\+KEY\+log\.example\/trailmark\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$/);
    expect(signerKey).toHaveLength('PRIVATE+KEY+log.example/trailmark+'.length + 8 + 1 + 44);
    expect(verifierKey).toMatch(/^log\.example\/trailmark\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$/);
    const signer = parseSignerKey(signerKey);
    expect(signer.name).toBe('log.example/trailmark');
    expect(verifierKeyFor(signer)).toBe(verifierKey);
    const verifier = parseVerifierKey(verifierKey);
    expect(verifier.keyId).toBe(signer.keyId);
    expect(signerKey.split('+')[3]).toBe(verifierKey.split('+')[1]);
  });

  test('makes a different key each time', () => {
    expect(generateNoteKey('a').signerKey).not.toBe(generateNoteKey('a').signerKey);
  });

  const GO_NAME_RULE = "is empty or holds white space, '+' or a lone surrogate";
  test.each([
    ['', GO_NAME_RULE],
    ['has space', GO_NAME_RULE],
    ['tab\there', GO_NAME_RULE],
    ['nbsp\u00a0x', GO_NAME_RULE],
    ['next-line\u0085x', GO_NAME_RULE],
    ['ideographic\u3000space', GO_NAME_RULE],
    ['a+b', GO_NAME_RULE],
    ['lone\ud800', GO_NAME_RULE],
    ['bell\u0007', 'holds a control character'],
  ])('refuses the name %j', (name, message) => {
    expect(() => generateNoteKey(name)).toThrow(FormatError);
    expect(() => generateNoteKey(name)).toThrow(message);
  });

  test('accepts names Go accepts: non-ASCII, slashes, dots', () => {
    expect(parseSignerKey(generateNoteKey('sum.golang.org/ünïcode—log').signerKey).name).toBe('sum.golang.org/ünïcode—log');
  });
});

describe('parseSignerKey', () => {
  test("Go's documented PeterNeumann signer key gives its documented verifier key", () => {
    const signer = parseSignerKey(GO_DOC_SIGNER_KEY);
    expect(signer.name).toBe('PeterNeumann');
    expect(signer.keyId).toBe(0xc74f20a3);
    expect(signer.publicKey).toHaveLength(32);
    expect(verifierKeyFor(signer)).toBe(GO_DOC_VERIFIER_KEY);
  });

  test('accepts an upper-case key id, as Go does (strconv.ParseUint base 16)', () => {
    const upper = GO_DOC_SIGNER_KEY.replace('c74f20a3', 'C74F20A3');
    expect(parseSignerKey(upper).keyId).toBe(0xc74f20a3);
  });

  const seed = GO_DOC_SIGNER_KEY.split('+').slice(4).join('+');
  test.each([
    ['a verifier key', GO_DOC_VERIFIER_KEY, 'does not start with "PRIVATE+KEY+"'],
    ['lower-case prefix', GO_DOC_SIGNER_KEY.replace('PRIVATE+KEY', 'private+key'), 'does not start'],
    ['no key data', 'PRIVATE+KEY+PeterNeumann+c74f20a3', 'is not "PRIVATE+KEY+<name>+<key id>+<key data>"'],
    ['empty name', `PRIVATE+KEY++c74f20a3+${seed}`, 'name "" is empty'],
    ['7-digit key id', `PRIVATE+KEY+PeterNeumann+c74f20a+${seed}`, 'id "c74f20a" is not 8 hex digits'],
    ['non-hex key id', `PRIVATE+KEY+PeterNeumann+c74f20ag+${seed}`, 'is not 8 hex digits'],
    ['wrong key id', `PRIVATE+KEY+PeterNeumann+c74f20a4+${seed}`, 'signer key id c74f20a4 does not match its key'],
    ['other name, same key id', `PRIVATE+KEY+PeterNeumann2+c74f20a3+${seed}`, 'does not match its key'],
    ['unpadded base64', GO_DOC_SIGNER_KEY + 'A', 'signer key data: base64'],
    ['empty key data', 'PRIVATE+KEY+PeterNeumann+c74f20a3+', 'signer key data is empty'],
    ['algorithm 2', `PRIVATE+KEY+PeterNeumann+c74f20a3+${Buffer.from([2, ...new Uint8Array(32)]).toString('base64')}`, 'algorithm 0x02 is not Ed25519'],
    ['31-byte seed', `PRIVATE+KEY+PeterNeumann+c74f20a3+${Buffer.from([1, ...new Uint8Array(31)]).toString('base64')}`, 'seed is 31 bytes, want 32'],
  ])('refuses %s', (_case, key, message) => {
    expect(() => parseSignerKey(key)).toThrow(FormatError);
    expect(() => parseSignerKey(key)).toThrow(message);
  });
});
