// The public log endpoints against the real service: checkpoint, key, consistency and inclusion
// proofs, health. Every checkpoint and proof served verifies with @trailmark/proofs, successive
// checkpoints are consistent, and Go's sumdb/note and sumdb/tlog (test/go/interop) accept them.
import { createHash } from 'node:crypto';
import {
  asHash,
  EMPTY_TREE_ROOT,
  hashLeaf,
  openCheckpoint,
  parseVerifierKey,
  verifyConsistency,
  verifyInclusion,
  type Checkpoint,
} from '@trailmark/proofs';
import { buildGoInterop, describeWithGo, goOk, warnIfGoMissing, type GoInterop } from '../support/go-interop.js';
import {
  Api,
  expectError,
  fromBase64,
  hashesOf,
  loginEvent,
  roleGrantedEvent,
  sharedLedger,
  verifyGrowth,
  type ReceiptBody,
} from '../support/http-api.js';

const ORIGIN = 'audit.example.com/trailmark/e2e';
// Alerts off: these tests hold every leaf of the log, so the service must add none of its own.
const ledger = sharedLedger(() => ({ TRAILMARK_ORIGIN: ORIGIN, TRAILMARK_ALERTS: 'off' }));

const anonymous = (): Api => ledger.api().as(undefined);

/**
 * The leaves below `size`, as an all-tenant evidence export serves them (its leaf bytes). Not by GET /v1/events/{id}:
 * each such read is itself recorded, a leaf this list would then miss. The export is recorded too, but after the
 * checkpoint it ends with, so beyond `size` when that is the latest signed size.
 */
async function leavesUpTo(size: bigint | number): Promise<Uint8Array[]> {
  const reply = await ledger.api().get('/v1/events/export?format=evidence');
  expect(reply.status).toBe(200);
  const lines = reply.text.trimEnd().split('\n').map((line) => JSON.parse(line) as { leafIndex?: number; leaf?: string });
  const leaves = lines.filter((line) => line.leaf !== undefined && line.leafIndex! < Number(size));
  expect(leaves.map((line) => line.leafIndex)).toEqual(Array.from({ length: Number(size) }, (_, i) => i));
  return leaves.map((line) => fromBase64(line.leaf!));
}

async function recordBatch(events: Record<string, unknown>[], query = ''): Promise<ReceiptBody[]> {
  const reply = await ledger.api().post<{ events: ReceiptBody[] }>(`/v1/events/batch${query}`, { events });
  expect(reply.status).toBe(201);
  return reply.json.events;
}

async function checkpointNow(): Promise<{ note: string; checkpoint: Checkpoint }> {
  return ledger.api().checkpoint();
}

describe('GET /v1/log/key and /v1/log/checkpoint', () => {
  test('the empty log: a signed checkpoint of size 0 whose root is SHA-256 of nothing', async () => {
    const reply = await anonymous().get('/v1/log/checkpoint');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const key = await ledger.api().verifierKey();
    const checkpoint = openCheckpoint(reply.text, key);
    expect(checkpoint.size).toBe(0n);
    expect(Buffer.from(checkpoint.root)).toEqual(Buffer.from(EMPTY_TREE_ROOT));
    expect(Buffer.from(checkpoint.root).toString('hex')).toBe(createHash('sha256').update('').digest('hex'));
  });

  test('the key is a note verifier key named after the origin (TRAILMARK_ORIGIN)', async () => {
    const reply = await anonymous().get('/v1/log/key');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toMatch(/^text\/plain/);
    const key = reply.text.trim();
    expect(key).toMatch(/^[^+\s]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*$/);
    const verifier = parseVerifierKey(key);
    expect(verifier.name).toBe(ORIGIN);
    // Key id = SHA-256(name || 0x0A || 0x01 || public key)[:4].
    const [name, hexId] = key.split('+') as [string, string];
    expect(name).toBe(ORIGIN);
    const keyBytes = Buffer.from(key.slice(name.length + 1 + hexId.length + 1), 'base64'); // base64 may hold '+'
    expect(keyBytes).toHaveLength(33);
    expect(keyBytes[0]).toBe(0x01);
    const id = createHash('sha256').update(Buffer.concat([Buffer.from(`${ORIGIN}\n`), keyBytes])).digest().subarray(0, 4);
    expect(hexId).toBe(id.toString('hex'));
  });

  test('a checkpoint is a C2SP signed note: origin, size, root, blank line, "— <origin> <signature>"', async () => {
    await recordBatch([loginEvent()], '?wait=checkpoint');
    const { note, checkpoint } = await checkpointNow();
    const lines = note.split('\n');
    expect(lines[0]).toBe(ORIGIN);
    expect(lines[1]).toBe(String(checkpoint.size));
    expect(fromBase64(lines[2]!)).toHaveLength(32);
    expect(lines[3]).toBe('');
    expect(lines[4]).toMatch(new RegExp(`^\u2014 ${ORIGIN.replace(/\./g, '\\.')} [A-Za-z0-9+/]+=*$`));
    expect(fromBase64(lines[4]!.split(' ')[2]!)).toHaveLength(68); // key id + Ed25519 signature
    expect(note.endsWith('\n')).toBe(true);
    expect(checkpoint.origin).toBe(ORIGIN);
    // A tampered checkpoint does not verify with the served key.
    const key = await ledger.api().verifierKey();
    expect(() => openCheckpoint(note.replace(`\n${checkpoint.size}\n`, `\n${checkpoint.size + 1n}\n`), key)).toThrow();
  });

  test('successive checkpoints each verify, and each is consistent with the one before', async () => {
    const api = ledger.api();
    let previous = (await checkpointNow()).checkpoint;
    const seen = [previous];
    for (let round = 0; round < 6; round++) {
      const receipts = await recordBatch(
        Array.from({ length: 1 + round * 3 }, (_, i) => (i % 2 ? roleGrantedEvent() : loginEvent())),
        '?wait=checkpoint',
      );
      const { checkpoint } = await checkpointNow();
      expect(checkpoint.size >= BigInt(receipts.at(-1)!.leafIndex + 1)).toBe(true);
      await verifyGrowth(api, previous, checkpoint);
      seen.push(checkpoint);
      previous = checkpoint;
    }
    // Every pair, not just neighbours.
    for (let i = 0; i < seen.length; i++) {
      for (let j = i + 1; j < seen.length; j++) await verifyGrowth(api, seen[i]!, seen[j]!);
    }
  });

  test('the checkpoint root is the RFC 6962 root of the leaves served', async () => {
    const { checkpoint } = await checkpointNow();
    const leaves = await leavesUpTo(checkpoint.size);
    expect(leaves).toHaveLength(Number(checkpoint.size));
    expect(Buffer.from(checkpoint.root).toString('hex')).toBe(rfc6962Root(leaves.map((leaf) => hashLeaf(leaf))));
  });
});

describe('GET /v1/log/proof/inclusion', () => {
  test('{index, treeSize, leafHash, proof} for every leaf, verifying against the checkpoint', async () => {
    const { checkpoint } = await checkpointNow();
    const leaves = await leavesUpTo(checkpoint.size);
    for (let index = 0; index < Number(checkpoint.size); index++) {
      const reply = await anonymous().get<{ index: number; treeSize: number; leafHash: string; proof: string[] }>(
        `/v1/log/proof/inclusion?index=${index}&treeSize=${checkpoint.size}`,
      );
      expect(reply.status).toBe(200);
      expect(Object.keys(reply.json).sort()).toEqual(['index', 'leafHash', 'proof', 'treeSize']);
      expect(reply.json.index).toBe(index);
      expect(reply.json.treeSize).toBe(Number(checkpoint.size));
      const leafHash = fromBase64(reply.json.leafHash);
      expect(Buffer.from(leafHash)).toEqual(Buffer.from(hashLeaf(leaves[index]!)));
      verifyInclusion(BigInt(index), checkpoint.size, hashLeaf(leaves[index]!), hashesOf(reply.json.proof), checkpoint.root);
    }
  });

  test('for an older signed size too', async () => {
    const older = (await checkpointNow()).checkpoint;
    await recordBatch([loginEvent(), loginEvent()], '?wait=checkpoint');
    const reply = await anonymous().get<{ proof: string[] }>(`/v1/log/proof/inclusion?index=0&treeSize=${older.size}`);
    const [leaf0] = await leavesUpTo(1);
    verifyInclusion(0n, older.size, hashLeaf(leaf0!), hashesOf(reply.json.proof), older.root);
  });

  test.each([
    ['index missing', 'treeSize=1', 'index'],
    ['treeSize missing', 'index=0', 'treeSize'],
    ['index not a number', 'index=x&treeSize=1', 'index'],
    ['a negative index', 'index=-1&treeSize=1', 'index'],
    ['index = treeSize', 'index=1&treeSize=1', 'index'],
    ['treeSize beyond the latest signed checkpoint', 'index=0&treeSize=999999', 'treeSize'],
    ['treeSize 0', 'index=0&treeSize=0', 'index'],
  ])('%s → 400 naming the parameter', async (_name, query, parameter) => {
    const error = expectError(await anonymous().get(`/v1/log/proof/inclusion?${query}`), 400);
    expect(error.details.parameter).toBe(parameter);
  });
});

describe('GET /v1/log/proof/consistency', () => {
  test('{from, to, proof} for every pair of sizes up to the checkpoint', async () => {
    const { checkpoint } = await checkpointNow();
    const size = Number(checkpoint.size);
    const leaves = await leavesUpTo(size);
    const roots = Array.from({ length: size + 1 }, (_, n) => rfc6962Root(leaves.slice(0, n).map((leaf) => hashLeaf(leaf))));
    for (const from of [0, 1, 2, 3, 7, 8, 9, size - 1, size]) {
      for (const to of [from, from + 1, Math.floor((from + size) / 2), size]) {
        if (to > size || from > to) continue;
        const reply = await anonymous().get<{ from: number; to: number; proof: string[] }>(`/v1/log/proof/consistency?from=${from}&to=${to}`);
        expect(reply.status).toBe(200);
        expect(reply.json).toMatchObject({ from, to });
        verifyConsistency(
          BigInt(from),
          BigInt(to),
          hashesOf(reply.json.proof),
          asHash(new Uint8Array(Buffer.from(roots[from]!, 'hex'))),
          asHash(new Uint8Array(Buffer.from(roots[to]!, 'hex'))),
        );
        if (from === 0 || from === to) expect(reply.json.proof).toEqual([]);
      }
    }
  });

  test.each([
    ['from missing', 'to=1', 'from'],
    ['to missing', 'from=1', 'to'],
    ['from larger than to', 'from=2&to=1', 'from'],
    ['to beyond the latest signed checkpoint', 'from=1&to=999999', 'to'],
    ['from not a number', 'from=one&to=2', 'from'],
    ['a size above 2^53', 'from=1&to=99999999999999999999', 'to'],
  ])('%s → 400 naming the parameter', async (_name, query, parameter) => {
    const error = expectError(await anonymous().get(`/v1/log/proof/consistency?${query}`), 400);
    expect(error.details.parameter).toBe(parameter);
  });
});

describe('health', () => {
  test('/health/live and /health/ready', async () => {
    const live = await anonymous().get('/health/live');
    expect(live.status).toBe(200);
    expect(live.json).toEqual({ status: 'live' });
    const [receipt] = await recordBatch([loginEvent()], '?wait=checkpoint');
    const ready = await anonymous().get<{ status: string; treeSize: number; checkpointSize: number }>('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.json.status).toBe('ready');
    expect(ready.json.treeSize).toBeGreaterThan(receipt!.leafIndex);
    expect(ready.json.checkpointSize).toBeLessThanOrEqual(ready.json.treeSize);
    expect(ready.json.checkpointSize).toBeGreaterThan(0);
  });
});

warnIfGoMissing('HTTP e2e checks with Go sumdb/note and sumdb/tlog');

describeWithGo('Go sumdb/note and sumdb/tlog accept what the service serves', () => {
  let go: GoInterop;
  beforeAll(() => {
    go = buildGoInterop();
  });
  afterAll(() => go?.cleanup());

  test('note.Open verifies every checkpoint with the served key; tlog checks the proofs; TreeHash gives the root', async () => {
    const api = ledger.api();
    const key = await api.verifierKey();
    const [parsedKey] = go.run([{ op: 'parseVerifierKey', verifierKey: key }]);
    expect(goOk(parsedKey)).toEqual({ name: ORIGIN, keyId: parseVerifierKey(key).keyId });

    const first = await checkpointNow();
    await recordBatch(Array.from({ length: 13 }, () => roleGrantedEvent()), '?wait=checkpoint');
    const second = await checkpointNow();
    const size = Number(second.checkpoint.size);
    const leaves = await leavesUpTo(size);
    expect(size).toBeGreaterThan(Number(first.checkpoint.size));

    const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
    const requests: Record<string, unknown>[] = [
      { op: 'open', note: first.note, verifierKeys: [key] },
      { op: 'open', note: second.note, verifierKeys: [key] },
      { op: 'treeHashes', leaves: leaves.map(b64) },
    ];
    for (let index = 0; index < size; index++) {
      const proof = (await anonymous().get<{ proof: string[]; leafHash: string }>(`/v1/log/proof/inclusion?index=${index}&treeSize=${size}`)).json;
      requests.push({ op: 'checkRecord', size, index, root: b64(second.checkpoint.root), leafHash: proof.leafHash, proof: proof.proof });
    }
    const consistency = (
      await anonymous().get<{ proof: string[] }>(`/v1/log/proof/consistency?from=${first.checkpoint.size}&to=${size}`)
    ).json;
    requests.push({
      op: 'checkTree',
      oldSize: Number(first.checkpoint.size),
      oldRoot: b64(first.checkpoint.root),
      size,
      root: b64(second.checkpoint.root),
      proof: consistency.proof,
    });
    // And the event proof endpoint's path, for one event.
    const lastId = (await api.post<ReceiptBody>('/v1/events?wait=checkpoint', loginEvent())).json;
    const eventProof = (await api.get<{ treeSize: number; leafHash: string; proof: string[]; checkpoint: string }>(`/v1/events/${lastId.id}/proof`)).json;
    const eventCheckpoint = openCheckpoint(eventProof.checkpoint, key);
    requests.push(
      { op: 'open', note: eventProof.checkpoint, verifierKeys: [key] },
      {
        op: 'checkRecord',
        size: eventProof.treeSize,
        index: lastId.leafIndex,
        root: b64(eventCheckpoint.root),
        leafHash: eventProof.leafHash,
        proof: eventProof.proof,
      },
    );

    const responses = go.run(requests);
    const [openFirst, openSecond, hashes] = responses;
    for (const [opened, note] of [
      [openFirst, first.note],
      [openSecond, second.note],
      [responses.at(-2), eventProof.checkpoint],
    ] as const) {
      expect(goOk(opened)).toEqual({
        text: note.slice(0, note.indexOf('\n\n') + 1),
        verified: [{ name: ORIGIN, keyId: parseVerifierKey(key).keyId }],
        unverified: [],
      });
    }
    const roots = goOk(hashes).roots as string[];
    expect(roots[size - 1]).toBe(b64(second.checkpoint.root));
    expect(roots[Number(first.checkpoint.size) - 1]).toBe(b64(first.checkpoint.root));
    const checks = responses.filter((_, i) => (requests[i]!.op as string).startsWith('check'));
    expect(checks).toHaveLength(size + 2);
    expect(checks.filter((response) => response.error !== undefined)).toEqual([]);

    // A proof for the wrong leaf is refused by Go too.
    const [wrong] = go.run([{ ...requests[3]!, leafHash: b64(hashLeaf(new TextEncoder().encode('not a leaf'))) }]);
    expect(wrong?.error).toBe('invalid transparency proof');
  });
});

/** RFC 6962 Merkle tree hash of leaf hashes, as hex: split at the largest power of two below n. */
function rfc6962Root(leafHashes: Uint8Array[]): string {
  const node = (hashes: Uint8Array[]): Uint8Array => {
    if (hashes.length === 0) return createHash('sha256').digest();
    if (hashes.length === 1) return hashes[0]!;
    let split = 1;
    while (split * 2 < hashes.length) split *= 2;
    return createHash('sha256').update(Buffer.from([1])).update(node(hashes.slice(0, split))).update(node(hashes.slice(split))).digest();
  };
  return Buffer.from(node(leafHashes)).toString('hex');
}
