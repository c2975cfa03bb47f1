// Interoperability with Go's golang.org/x/mod/sumdb/note and sumdb/tlog, an implementation
// nobody here wrote: Go must accept our keys, notes, checkpoints and proofs, and we theirs.
// test/go/interop/main.go is built once (support/go-interop.ts, shared with the HTTP e2e
// tests); each test sends it one JSON batch of requests. Without Go or the x/mod sources
// (Debian: golang-go golang-golang-x-mod-dev) the suite is skipped with a warning saying why.
import { randomBytes } from 'node:crypto';
import {
  addSignatures,
  generateNoteKey,
  openCheckpoint,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  signCheckpoint,
  signNote,
  verifierKeyFor,
  type Checkpoint,
} from '@trailmark/checkpoint';
import { MemoryTileStore, MerkleTree } from '@trailmark/merkle';
import {
  asHash,
  FormatError,
  hashLeaf,
  verifyConsistency,
  verifyInclusion,
  VerificationError,
  type Hash,
} from '@trailmark/proofs';
import { buildGoInterop, describeWithGo, goOk as ok, warnIfGoMissing, type GoInterop, type GoResponse } from './support/go-interop.js';
import { REFERENCE_LEAVES_HEX, REFERENCE_ROOTS_HEX } from './support/rfc6962-vectors.js';

warnIfGoMissing('Go interop tests');

let interop: GoInterop | undefined;

function runGo(requests: readonly Record<string, unknown>[]): GoResponse[] {
  const responses = interop!.run(requests);
  expect(responses).toHaveLength(requests.length);
  return responses;
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const fromB64 = (text: string): Hash => asHash(new Uint8Array(Buffer.from(text, 'base64')));
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function checkpointFor(origin: string, size: bigint): Checkpoint {
  return { origin, size, root: hashLeaf(new TextEncoder().encode(`root ${size}`)), extensions: [] };
}

describeWithGo('Go golang.org/x/mod sumdb interop', () => {
  beforeAll(() => {
    interop = buildGoInterop();
  });

  afterAll(() => {
    interop?.cleanup();
  });

  describe('signed notes and keys', () => {
    test("a Go key: its signer key parses here, its signed checkpoint opens here, and we sign byte for byte as Go", () => {
      const [generated] = runGo([{ op: 'generateKey', name: 'go.example/log' }]);
      const { signerKey, verifierKey } = ok(generated) as { signerKey: string; verifierKey: string };
      const checkpoint = checkpointFor('go.example/log', 12345n);
      const text = `go.example/log\n12345\n${b64(checkpoint.root)}\n`;
      const [signed] = runGo([{ op: 'sign', text, signerKeys: [signerKey] }]);
      const goNote = ok(signed).note as string;

      const opened = openCheckpoint(goNote, verifierKey);
      expect(opened.size).toBe(12345n);
      expect(hex(opened.root)).toBe(hex(checkpoint.root));
      expect(openNote(goNote, [parseVerifierKey(verifierKey)]).text).toBe(text);

      const signer = parseSignerKey(signerKey);
      expect(verifierKeyFor(signer)).toBe(verifierKey);
      expect(signCheckpoint(checkpoint, signer)).toBe(goNote);
    });

    test('our key: Go parses both key strings and opens our checkpoints and multi-signer notes', () => {
      const log = generateNoteKey('trailmark.example/log');
      const witness = generateNoteKey('witness.example/w1');
      const logSigner = parseSignerKey(log.signerKey);
      const witnessSigner = parseSignerKey(witness.signerKey);
      const checkpointNote = signCheckpoint(checkpointFor('trailmark.example/log', 7n), logSigner);
      const cosigned = addSignatures(checkpointNote, [witnessSigner]);
      const both = signNote('two signers\n\nand a blank line\n', [logSigner, witnessSigner]);

      const [signerInGo, verifierInGo, openedCheckpoint, openedCosigned, openedBoth, goSignsBoth] = runGo([
        { op: 'parseSignerKey', signerKey: log.signerKey },
        { op: 'parseVerifierKey', verifierKey: log.verifierKey },
        { op: 'open', note: checkpointNote, verifierKeys: [log.verifierKey] },
        { op: 'open', note: cosigned, verifierKeys: [log.verifierKey, witness.verifierKey] },
        { op: 'open', note: both, verifierKeys: [witness.verifierKey] },
        { op: 'sign', text: 'two signers\n\nand a blank line\n', signerKeys: [log.signerKey, witness.signerKey] },
      ]);
      expect(ok(signerInGo)).toEqual({ name: 'trailmark.example/log', keyId: logSigner.keyId });
      expect(ok(verifierInGo)).toEqual({ name: 'trailmark.example/log', keyId: logSigner.keyId });
      expect(ok(openedCheckpoint)).toEqual({
        text: checkpointNote.slice(0, checkpointNote.lastIndexOf('\n\n') + 1),
        verified: [{ name: 'trailmark.example/log', keyId: logSigner.keyId }],
        unverified: [],
      });
      expect(ok(openedCosigned).verified).toEqual([
        { name: 'trailmark.example/log', keyId: logSigner.keyId },
        { name: 'witness.example/w1', keyId: witnessSigner.keyId },
      ]);
      expect(ok(openedBoth).verified).toEqual([{ name: 'witness.example/w1', keyId: witnessSigner.keyId }]);
      expect(ok(openedBoth).unverified).toEqual([{ name: 'trailmark.example/log', keyId: logSigner.keyId }]);
      expect(ok(goSignsBoth).note).toBe(both);
    });

    test('a tampered note is refused by both Go and us', () => {
      const { signerKey, verifierKey } = generateNoteKey('log.example');
      const note = signCheckpoint(checkpointFor('log.example', 100n), parseSignerKey(signerKey));
      const tamperedText = note.replace('\n100\n', '\n101\n');
      const signatureStart = note.lastIndexOf(' ') + 1;
      const flipped = note[signatureStart + 10] === 'A' ? 'B' : 'A';
      const tamperedSignature = note.slice(0, signatureStart + 10) + flipped + note.slice(signatureStart + 11);
      const [goText, goSignature] = runGo([
        { op: 'open', note: tamperedText, verifierKeys: [verifierKey] },
        { op: 'open', note: tamperedSignature, verifierKeys: [verifierKey] },
      ]);
      expect(goText?.error).toMatch(/^invalid signature for key log\.example\+[0-9a-f]{8}$/);
      expect(goSignature?.error).toMatch(/^invalid signature for key log\.example\+/);
      expect(() => openCheckpoint(tamperedText, verifierKey)).toThrow(VerificationError);
      expect(() => openCheckpoint(tamperedSignature, verifierKey)).toThrow(VerificationError);
    });

    test('texts: what Go signs but cannot open, we refuse to sign', () => {
      const { signerKey } = generateNoteKey('k');
      const signer = parseSignerKey(signerKey);
      const texts = ['no newline', 'carriage return\r\n', 'tab\there\n', 'fine — ünïcode\n', 'del \u007f\n'];
      const responses = runGo(texts.map((text) => ({ op: 'sign', text, signerKeys: [signerKey] })));
      const goOpens = runGo(
        responses.map((r) => ({ op: 'open', note: (r.note as string | undefined) ?? '', verifierKeys: [verifierKeyFor(signer)] })),
      );
      const goUsable = goOpens.map((r) => r.error === undefined);
      const oursUsable = texts.map((text) => {
        try {
          signNote(text, [signer]);
          return true;
        } catch (error) {
          expect(error).toBeInstanceOf(FormatError);
          return false;
        }
      });
      expect(responses[0]?.error).toBe('malformed note'); // note.Sign refuses a text without final newline
      expect(responses[1]?.error).toBeUndefined(); // note.Sign signs "\r" ...
      expect(goOpens[1]?.error).toBe('malformed note'); // ... that note.Open then refuses
      expect(oursUsable).toEqual(goUsable);
      expect(goUsable).toEqual([false, false, false, true, true]);
    });

    test('key names: Go and we accept and refuse the same, except control characters', () => {
      // Go's GenerateKey does not check the name; NewSigner and NewVerifier do.
      const names = ['a b', 'a+b', 'a\u00a0b', 'a\u0085b', 'a\u2028b', 'a\u3000b', '\ufeffbom', 'ünï/cödé', 'a\u180eb', 'x'];
      const generated = runGo(names.map((name) => ({ op: 'generateKey', name }))).map(ok) as {
        signerKey: string;
        verifierKey: string;
      }[];
      const goAccepts = runGo(generated.map((k) => ({ op: 'parseVerifierKey', verifierKey: k.verifierKey }))).map(
        (r) => r.error === undefined,
      );
      const goAcceptsSigner = runGo(generated.map((k) => ({ op: 'parseSignerKey', signerKey: k.signerKey }))).map(
        (r) => r.error === undefined,
      );
      const accepts = (parse: () => unknown): boolean => {
        try {
          parse();
          return true;
        } catch (error) {
          expect(error).toBeInstanceOf(FormatError);
          return false;
        }
      };
      expect(generated.map((k) => accepts(() => parseVerifierKey(k.verifierKey)))).toEqual(goAccepts);
      expect(generated.map((k) => accepts(() => parseSignerKey(k.signerKey)))).toEqual(goAcceptsSigner);
      expect(goAccepts).toEqual([false, false, false, false, false, false, true, true, true, true]);

      // Go accepts a name with a control character, yet note.Open refuses every note it signs:
      // we refuse such names outright.
      const [bell] = runGo([{ op: 'generateKey', name: 'bell\u0007' }]);
      const bellKey = ok(bell) as { signerKey: string; verifierKey: string };
      const [goSigns] = runGo([{ op: 'sign', text: 'x\n', signerKeys: [bellKey.signerKey] }]);
      const [goOpens] = runGo([{ op: 'open', note: ok(goSigns).note, verifierKeys: [bellKey.verifierKey] }]);
      expect(goOpens?.error).toBe('malformed note');
      expect(() => parseSignerKey(bellKey.signerKey)).toThrow('holds a control character');
    });
  });

  describe('tree hashes and proofs (sumdb/tlog)', () => {
    // DESIGN.md reference roots for sizes 1..8 (Go's TreeHash(0) is not SHA-256(""), so size 0 is left out).
    const REFERENCE_ROOTS = REFERENCE_ROOTS_HEX.slice(1);

    const randomLeaves = Array.from({ length: 300 }, (_, i) => new Uint8Array(randomBytes(i % 97)));
    const tree = MerkleTree.open(new MemoryTileStore());
    const leaves64 = randomLeaves.map(b64);

    beforeAll(() => {
      tree.append(randomLeaves);
    });

    test('reference leaves: Go TreeHash, our MerkleTree and DESIGN.md agree for sizes 1..8', () => {
      const leaves = REFERENCE_LEAVES_HEX.map((h) => new Uint8Array(Buffer.from(h, 'hex')));
      const [response] = runGo([{ op: 'treeHashes', leaves: leaves.map(b64) }]);
      const goRoots = (ok(response).roots as string[]).map((r) => hex(fromB64(r)));
      expect(goRoots).toEqual(REFERENCE_ROOTS);
      const ours = MerkleTree.open(new MemoryTileStore());
      ours.append(leaves);
      expect(REFERENCE_ROOTS.map((_, i) => hex(ours.root(BigInt(i + 1))))).toEqual(REFERENCE_ROOTS);
    });

    test('random leaves: Go and our roots agree for every size 1..300', () => {
      const [response] = runGo([{ op: 'treeHashes', leaves: leaves64 }]);
      const goRoots = ok(response).roots as string[];
      expect(goRoots).toHaveLength(300);
      const ourRoots = goRoots.map((_, i) => b64(tree.root(BigInt(i + 1))));
      expect(ourRoots).toEqual(goRoots);
    });

    // Every pair for small trees, random pairs up to 300.
    function pairs(count: number, maxSmall: number, allowEqual: boolean): [number, number][] {
      const out: [number, number][] = [];
      for (let size = 1; size <= maxSmall; size++) {
        for (let other = allowEqual ? 1 : 0; other <= (allowEqual ? size : size - 1); other++) out.push([size, other]);
      }
      for (let i = 0; i < count; i++) {
        const size = 1 + Math.floor(Math.random() * 300);
        const other = allowEqual ? 1 + Math.floor(Math.random() * size) : Math.floor(Math.random() * size);
        out.push([size, other]);
      }
      return out;
    }

    test('inclusion proofs: ours verify in Go CheckRecord, Go ProveRecord equals ours and verifies here', () => {
      const queries = pairs(600, 40, false); // [size, index]
      const ourProofs = queries.map(([size, index]) => tree.proveInclusion(BigInt(index), BigInt(size)));
      const checks = queries.map(([size, index], i) => ({
        op: 'checkRecord',
        size,
        index,
        root: b64(tree.root(BigInt(size))),
        leafHash: b64(hashLeaf(randomLeaves[index]!)),
        proof: ourProofs[i]!.map(b64),
      }));
      // A proof for the neighbouring leaf must fail in Go.
      const wrong = queries
        .filter(([size]) => size > 1)
        .slice(0, 50)
        .map(([size, index]) => ({
          op: 'checkRecord',
          size,
          index,
          root: b64(tree.root(BigInt(size))),
          leafHash: b64(hashLeaf(randomLeaves[(index + 1) % size]!)),
          proof: tree.proveInclusion(BigInt(index), BigInt(size)).map(b64),
        }));
      const responses = runGo([...checks, ...wrong, { op: 'proveRecord', leaves: leaves64, queries }]);
      const checkErrors = responses.slice(0, checks.length).filter((r) => r.error !== undefined);
      expect(checkErrors).toEqual([]);
      for (const r of responses.slice(checks.length, checks.length + wrong.length)) {
        expect(r.error).toBe('invalid transparency proof');
      }
      const goProofs = ok(responses[responses.length - 1]).proofs as string[][];
      goProofs.forEach((proof, i) => {
        const [size, index] = queries[i]!;
        expect(proof).toEqual(ourProofs[i]!.map(b64));
        expect(() =>
          verifyInclusion(BigInt(index), BigInt(size), hashLeaf(randomLeaves[index]!), proof.map(fromB64), tree.root(BigInt(size))),
        ).not.toThrow();
      });
    });

    test('consistency proofs: ours verify in Go CheckTree, Go ProveTree equals ours and verifies here', () => {
      const queries = pairs(600, 40, true).map(([size, old]): [number, number] => [old, size]); // [oldSize, size]
      const ourProofs = queries.map(([old, size]) => tree.proveConsistency(BigInt(old), BigInt(size)));
      const checks = queries.map(([old, size], i) => ({
        op: 'checkTree',
        oldSize: old,
        size,
        oldRoot: b64(tree.root(BigInt(old))),
        root: b64(tree.root(BigInt(size))),
        proof: ourProofs[i]!.map(b64),
      }));
      // The same proof against a root of another size must fail in Go.
      const wrong = queries
        .filter(([old, size]) => old < size && size < 300)
        .slice(0, 50)
        .map(([old, size]) => ({
          op: 'checkTree',
          oldSize: old,
          size,
          oldRoot: b64(tree.root(BigInt(old))),
          root: b64(tree.root(BigInt(size + 1))),
          proof: tree.proveConsistency(BigInt(old), BigInt(size)).map(b64),
        }));
      const responses = runGo([...checks, ...wrong, { op: 'proveTree', leaves: leaves64, queries }]);
      const checkErrors = responses.slice(0, checks.length).filter((r) => r.error !== undefined);
      expect(checkErrors).toEqual([]);
      for (const r of responses.slice(checks.length, checks.length + wrong.length)) {
        expect(r.error).toBe('invalid transparency proof');
      }
      const goProofs = ok(responses[responses.length - 1]).proofs as string[][];
      goProofs.forEach((proof, i) => {
        const [old, size] = queries[i]!;
        expect(proof).toEqual(ourProofs[i]!.map(b64));
        expect(() =>
          verifyConsistency(BigInt(old), BigInt(size), proof.map(fromB64), tree.root(BigInt(old)), tree.root(BigInt(size))),
        ).not.toThrow();
      });
    });
  });
});
