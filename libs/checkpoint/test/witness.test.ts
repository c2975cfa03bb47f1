// The witness side (addCheckpoint over a durable SQLite state) and the log side (WitnessClient over real
// HTTP to it), with cosignatures checked by node:crypto, an Ed25519 implementation independent of noble.
import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MemoryTileStore, MerkleTree } from '@trailmark/merkle';
import { decodeBase64, encodeBase64, parseVerifierKey, parseWitnessPolicy, type WitnessPolicy } from '@trailmark/proofs';
import {
  addCheckpoint,
  cosignerFromSigner,
  generateNoteKey,
  parseSignerKey,
  signCheckpoint,
  SqliteCosignatureStore,
  SqliteWitnessStateStore,
  WitnessClient,
  WitnessConflictError,
  WitnessedCheckpoints,
  MemoryCheckpointStore,
  type SignedCheckpoint,
  type WitnessServiceOptions,
} from '@trailmark/checkpoint';

const ORIGIN = 'trailmark.test/log';
const logKeys = generateNoteKey(ORIGIN);
const logSigner = parseSignerKey(logKeys.signerKey);
const witnessSigner = parseSignerKey(generateNoteKey('witness.test/w1').signerKey);
const cosigner = cosignerFromSigner(witnessSigner);

const leaves = (from: number, to: number, tag = ''): Uint8Array[] =>
  Array.from({ length: to - from }, (_, k) => new TextEncoder().encode(`event ${from + k}${tag}`));

function treeOf(size: number, tag = ''): MerkleTree {
  const tree = MerkleTree.open(new MemoryTileStore());
  if (size > 0) tree.append(leaves(0, size, tag));
  return tree;
}

function checkpointOf(tree: MerkleTree, size = tree.size): SignedCheckpoint {
  const root = tree.root(size);
  return { size, root, note: signCheckpoint({ origin: ORIGIN, size, root, extensions: [] }, logSigner), signedAt: new Date().toISOString() };
}

function request(old: bigint, proof: Uint8Array[], note: string): Uint8Array {
  return new TextEncoder().encode(`old ${old}\n${proof.map((h) => `${encodeBase64(h)}\n`).join('')}\n${note}`);
}

/** Polls until `condition` holds (the test's own timeout bounds it). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'trailmark-witness-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function witnessOptions(file = join(dir, 'witness.db')): WitnessServiceOptions & { state: SqliteWitnessStateStore } {
  return {
    logs: [{ origin: ORIGIN, verifiers: [parseVerifierKey(logKeys.verifierKey)] }],
    cosigner,
    state: new SqliteWitnessStateStore(new Database(file)),
    now: () => new Date(1_700_000_000_500),
  };
}

describe('cosignerFromSigner', () => {
  it('makes lines that node:crypto verifies over "cosignature/v1\\ntime <t>\\n" + the checkpoint body', () => {
    const text = `${ORIGIN}\n3\n${encodeBase64(new Uint8Array(32).fill(1))}\n`;
    const line = cosigner.cosign(text, 1_700_000_000n);
    const [dash, name, encoded] = line.trimEnd().split(' ');
    expect([dash, name]).toEqual(['—', 'witness.test/w1']);
    const bytes = Buffer.from(encoded!, 'base64');
    expect(bytes.length).toBe(4 + 8 + 64);
    expect(bytes.readUInt32BE(0)).toBe(cosigner.keyId);
    expect(bytes.readBigUInt64BE(4)).toBe(1_700_000_000n);
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(witnessSigner.publicKey).toString('base64url') }, format: 'jwk' });
    const message = Buffer.from(`cosignature/v1\ntime 1700000000\n${text}`);
    expect(verify(null, message, publicKey, bytes.subarray(12))).toBe(true);
    expect(verify(null, Buffer.from(`cosignature/v1\ntime 1700000001\n${text}`), publicKey, bytes.subarray(12))).toBe(false);
  });

  it('names the key with type 0x04, so its key id differs from the note key id', () => {
    expect(cosigner.keyId).not.toBe(witnessSigner.keyId);
    expect(decodeBase64(cosigner.vkey.slice(cosigner.vkey.lastIndexOf('+', cosigner.vkey.length - 45) + 1))[0]).toBe(0x04);
  });
});

describe('addCheckpoint (tlog-witness)', () => {
  it('cosigns from 0, then each consistent extension, and answers the spec statuses otherwise', () => {
    const options = witnessOptions();
    const tree = treeOf(5);
    const first = addCheckpoint(request(0n, [], checkpointOf(tree, 3n).note), options);
    expect(first.status).toBe(200);
    expect(first.body).toMatch(/^— witness\.test\/w1 \S+\n$/);

    // 409: the old size is not the one it holds; the body says which, as text/x.tlog.size.
    const stale = addCheckpoint(request(0n, [], checkpointOf(tree, 5n).note), options);
    expect(stale).toEqual({ status: 409, contentType: 'text/x.tlog.size', body: '3\n' });

    const grown = addCheckpoint(request(3n, tree.proveConsistency(3n, 5n), checkpointOf(tree, 5n).note), options);
    expect(grown.status).toBe(200);
    expect(options.state.get(ORIGIN)?.size).toBe(5n);

    // 422: a proof that does not lead from the root it holds.
    const forked = treeOf(7, 'fork');
    const bad = addCheckpoint(request(5n, forked.proveConsistency(5n, 7n), checkpointOf(forked, 7n).note), options);
    expect(bad.status).toBe(422);
    // 409: the same size with another root.
    expect(addCheckpoint(request(5n, [], checkpointOf(treeOf(5, 'fork')).note), options)).toMatchObject({ status: 409, body: '5\n' });
    // The same checkpoint again: cosigned again.
    expect(addCheckpoint(request(5n, [], checkpointOf(tree, 5n).note), options).status).toBe(200);
    // 400: old above the checkpoint's size; a malformed body.
    expect(addCheckpoint(request(6n, [], checkpointOf(tree, 5n).note), options).status).toBe(400);
    expect(addCheckpoint(new TextEncoder().encode('old 01\n\nx'), options).status).toBe(400);
    // 404: an origin it does not witness; 403: signed by a key it does not trust for the origin.
    const stranger = parseSignerKey(generateNoteKey('other.test/log').signerKey);
    const root = tree.root(5n);
    expect(addCheckpoint(request(0n, [], signCheckpoint({ origin: 'other.test/log', size: 5n, root, extensions: [] }, stranger)), options).status).toBe(404);
    const impostor = parseSignerKey(generateNoteKey(ORIGIN).signerKey);
    expect(addCheckpoint(request(5n, [], signCheckpoint({ origin: ORIGIN, size: 5n, root, extensions: [] }, impostor)), options).status).toBe(403);
    expect(options.state.get(ORIGIN)?.size).toBe(5n);
  });

  it('keeps its state on disk: a witness reopened on the same file refuses a second root for a size it cosigned', () => {
    const file = join(dir, 'witness.db');
    const before = witnessOptions(file);
    const tree = treeOf(4);
    expect(addCheckpoint(request(0n, [], checkpointOf(tree).note), before).status).toBe(200);
    // No close: as if the process died right after answering.
    const after = witnessOptions(file);
    expect(addCheckpoint(request(0n, [], checkpointOf(treeOf(4, 'other')).note), after)).toMatchObject({ status: 409, body: '4\n' });
    expect(addCheckpoint(request(4n, [], checkpointOf(treeOf(4, 'other')).note), after)).toMatchObject({ status: 409, body: '4\n' });
  });
});

describe('WitnessClient over HTTP', () => {
  let server: Server;
  let url: string;
  let up = true;

  beforeEach(async () => {
    const options = witnessOptions();
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (!up) return void res.writeHead(503).end('down\n');
        const answer = addCheckpoint(new Uint8Array(Buffer.concat(chunks)), options);
        res.writeHead(answer.status, { 'content-type': answer.contentType }).end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address() as { port: number };
    url = `http://127.0.0.1:${address.port}/w`;
    up = true;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  function setUp(tree: MerkleTree, db = new Database(':memory:')) {
    const policy: WitnessPolicy = parseWitnessPolicy(`witness W1 ${cosigner.vkey} ${url}\nquorum W1\n`);
    const store = new MemoryCheckpointStore();
    let waiting: { size: bigint; resolve: (c: SignedCheckpoint) => void } | undefined;
    const publisher = {
      latest: () => store.latest(),
      waitFor: (size: bigint) => new Promise<SignedCheckpoint>((resolve) => (waiting = { size, resolve })),
      publish(checkpoint: SignedCheckpoint) {
        store.append(checkpoint);
        if (waiting && waiting.size <= checkpoint.size) waiting.resolve(checkpoint);
      },
    };
    const cosignatures = new SqliteCosignatureStore(db);
    const errors: Error[] = [];
    const changes: Array<() => void> = [];
    const client = new WitnessClient({
      policy,
      logVerifier: parseVerifierKey(logKeys.verifierKey),
      publisher,
      proveConsistency: (from, to) => tree.proveConsistency(from, to),
      cosignatures,
      onChange: () => changes.forEach((change) => change()),
      onError: (error) => errors.push(error),
      retry: { initialMs: 20, maxMs: 40 },
    });
    const served = new WitnessedCheckpoints({
      policy,
      checkpoints: store,
      cosignatures,
      latestSigned: () => store.latest(),
      serveUnwitnessed: false,
      witnessesDown: (size) => client.allFailing(size),
    });
    changes.push(() => served.changed());
    return { client, publisher, served, errors };
  }

  it('collects the cosignature of each new checkpoint and serves only what the quorum met', async () => {
    const tree = treeOf(9);
    const { client, publisher, served } = setUp(tree);
    publisher.publish(checkpointOf(tree, 4n));
    client.start();
    const first = await served.waitFor(4n);
    expect(first.witnessed).toBe(true);
    expect(first.note).toContain('— witness.test/w1 ');
    up = false;
    publisher.publish(checkpointOf(tree, 9n));
    await until(() => client.status()[0]!.consecutiveFailures >= 2);
    // Signed at 9, but the witness is down (and retried): 4 is still what is served.
    expect(served.served()?.size).toBe(4n);
    expect(client.status()[0]!.lastError).toMatch(/HTTP 503/);
    up = true;
    expect((await served.waitFor(9n)).size).toBe(9n);
    expect(client.status()[0]).toMatchObject({ cosignedSize: 9n, consecutiveFailures: 0 });
    client.stop();
  });

  it('resends from the size the witness holds when it answers 409', async () => {
    const tree = treeOf(6);
    // The witness holds 3 (cosigned by an earlier run whose cosignature this log did not keep).
    expect(addCheckpoint(request(0n, [], checkpointOf(tree, 3n).note), witnessOptions()).status).toBe(200);
    const { client, publisher, served } = setUp(tree);
    publisher.publish(checkpointOf(tree, 6n));
    client.start();
    expect((await served.waitFor(6n)).witnessed).toBe(true);
    client.stop();
  });

  it('reports a witness that refuses a forked checkpoint as a conflict, and does not serve it', async () => {
    const tree = treeOf(5);
    const { client, publisher, served, errors } = setUp(tree);
    publisher.publish(checkpointOf(tree, 5n));
    client.start();
    await served.waitFor(5n);
    client.stop();
    // Another run of the same log signs a different 8 leaves: the witness holds 5 of the first.
    const forked = treeOf(8, 'fork');
    const second = setUp(forked);
    second.publisher.publish(checkpointOf(forked, 8n));
    second.client.start();
    await until(() => second.client.status()[0]!.conflict !== undefined);
    expect(second.client.status()[0]!.conflict).toMatch(/409|422/);
    expect(second.errors.some((error) => error instanceof WitnessConflictError)).toBe(true);
    expect(second.served.served()).toBeUndefined();
    expect(errors).toEqual([]);
    second.client.stop();
  });
});
