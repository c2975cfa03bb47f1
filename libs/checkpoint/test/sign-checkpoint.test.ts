import { asHash, FormatError, VerificationError } from '@trailmark/proofs';
import {
  formatCheckpoint,
  generateNoteKey,
  openCheckpoint,
  parseSignerKey,
  parseVerifierKey,
  signCheckpoint,
  type Checkpoint,
} from '@trailmark/checkpoint';

const ROOT = asHash(Buffer.from('5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328', 'hex'));

function logKey(origin: string) {
  const { signerKey, verifierKey } = generateNoteKey(origin);
  return { signer: parseSignerKey(signerKey), verifierKey };
}

describe('signCheckpoint', () => {
  test('sign → openCheckpoint round trip', () => {
    const { signer, verifierKey } = logKey('trailmark.example/log');
    const checkpoint: Checkpoint = { origin: 'trailmark.example/log', size: 8n, root: ROOT, extensions: [] };
    const note = signCheckpoint(checkpoint, signer);
    expect(note.startsWith('trailmark.example/log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n')).toBe(true);
    expect(note).toMatch(/\n\n\u2014 trailmark\.example\/log [A-Za-z0-9+/]{91}=\n$/);
    const opened = openCheckpoint(note, verifierKey);
    expect(opened.origin).toBe(checkpoint.origin);
    expect(opened.size).toBe(8n);
    expect(Buffer.from(opened.root).equals(Buffer.from(ROOT))).toBe(true);
    expect(opened.extensions).toEqual([]);
    expect(openCheckpoint(note, parseVerifierKey(verifierKey)).size).toBe(8n);
  });

  test('extension lines are signed and come back', () => {
    const { signer, verifierKey } = logKey('log.example');
    const checkpoint: Checkpoint = { origin: 'log.example', size: 18446744073709551615n, root: ROOT, extensions: ['ext one', 'ext two'] };
    const note = signCheckpoint(checkpoint, signer);
    expect(note.startsWith(formatCheckpoint(checkpoint) + '\n')).toBe(true);
    const opened = openCheckpoint(note, verifierKey);
    expect(opened.size).toBe(18446744073709551615n);
    expect(opened.extensions).toEqual(['ext one', 'ext two']);
  });

  test('refuses a key not named after the origin', () => {
    const { signer } = logKey('other.example');
    const checkpoint: Checkpoint = { origin: 'log.example', size: 1n, root: ROOT, extensions: [] };
    expect(() => signCheckpoint(checkpoint, signer)).toThrow(
      'checkpoint origin "log.example" differs from the signing key name "other.example"',
    );
  });

  test('a checkpoint signed by another key of the same name does not open', () => {
    const log = logKey('log.example');
    const impostor = logKey('log.example');
    const note = signCheckpoint({ origin: 'log.example', size: 1n, root: ROOT, extensions: [] }, impostor.signer);
    expect(() => openCheckpoint(note, log.verifierKey)).toThrow(VerificationError);
  });

  test('a tampered size does not open', () => {
    const { signer, verifierKey } = logKey('log.example');
    const note = signCheckpoint({ origin: 'log.example', size: 5n, root: ROOT, extensions: [] }, signer);
    expect(() => openCheckpoint(note.replace('\n5\n', '\n6\n'), verifierKey)).toThrow(VerificationError);
  });

  test('a checkpoint its openers would refuse or misread is not signed', () => {
    const { signer } = logKey('log.example');
    const refused = { origin: 'log.example', size: -1n, root: ROOT, extensions: [] };
    expect(() => signCheckpoint(refused, signer)).toThrow(FormatError);
    const misread = { origin: 'log.example', size: 1n, root: ROOT, extensions: ['two\nlines'] };
    expect(() => signCheckpoint(misread, signer)).toThrow(FormatError);
  });
});
