// Witnessed checkpoints end to end: two ledgers and two `trailmark witness serve` processes, each ledger's
// policy naming the witness run beside the other ledger, so the two witness each other. Real HTTP throughout;
// the cosignatures are checked with @trailmark/proofs and with the trailmark-verify CLI.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cosignerFromSigner, generateNoteKey, parseSignerKey, signCheckpoint } from '@trailmark/checkpoint';
import { MemoryTileStore, MerkleTree } from '@trailmark/merkle';
import { encodeBase64, openCheckpoint, openWitnessedCheckpoint, parseWitnessPolicy, VerificationError } from '@trailmark/proofs';
import { closedPort } from '../support/closed-port.js';
import { Api, loginEvent, type ReceiptBody } from '../support/http-api.js';
import { makeDataDir, startLedger, TEST_STORE, type LedgerProcess } from '../support/ledger-process.js';
import { runCli } from '../support/run-cli.js';
import { startWitness, type WitnessProcess } from '../support/witness-process.js';

const logA = generateNoteKey('a.test/log');
const logB = generateNoteKey('b.test/log');
const witnessKeyA = generateNoteKey('a.test/witness').signerKey;
const witnessKeyB = generateNoteKey('b.test/witness').signerKey;

let work: string;
const dataDirs: Array<{ cleanup(): Promise<void> }> = [];
let witnessA: WitnessProcess; // run beside ledger A, witnesses log B
let witnessB: WitnessProcess; // run beside ledger B, witnesses log A
let ledgerA: LedgerProcess;
let ledgerB: LedgerProcess;
let envA: Record<string, string>;
let policyA: string;
let policyB: string;

function file(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

function newDataDir(): string {
  const made = makeDataDir();
  dataDirs.push(made);
  return made.dataDir;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'trailmark-witness-e2e-'));
  [witnessA, witnessB] = await Promise.all([
    startWitness(join(work, 'witness-a'), file('witness-a.logs', `# the logs witness A cosigns\nlog ${logB.verifierKey}\n`), { TRAILMARK_WITNESS_KEY: witnessKeyA }),
    startWitness(join(work, 'witness-b'), file('witness-b.logs', `log ${logA.verifierKey}\n`), { TRAILMARK_WITNESS_KEY: witnessKeyB }),
  ]);
  expect(witnessB.vkey).toBe(cosignerFromSigner(parseSignerKey(witnessKeyB)).vkey);
  policyA = file('policy-a', `log ${logA.verifierKey}\nwitness WB ${witnessB.vkey} ${witnessB.url}\nquorum WB\n`);
  policyB = file('policy-b', `witness WA ${witnessA.vkey} ${witnessA.url}\nquorum WA\n`);
  envA = { TRAILMARK_SIGNING_KEY: logA.signerKey, TRAILMARK_WITNESS_POLICY: policyA };
  [ledgerA, ledgerB] = await Promise.all([
    startLedger(newDataDir(), envA),
    startLedger(newDataDir(), { TRAILMARK_SIGNING_KEY: logB.signerKey, TRAILMARK_WITNESS_POLICY: policyB }),
  ]);
  // Four processes start on a shared, busy machine: the timeout bounds a hang, not the speed.
}, 600_000);

afterAll(async () => {
  await Promise.all([ledgerA?.stop(), ledgerB?.stop(), witnessA?.stop(), witnessB?.stop()]);
  for (const dir of dataDirs) await dir.cleanup();
  rmSync(work, { recursive: true, force: true });
}, 600_000);

async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('two ledgers witness each other: receipts and the served checkpoint carry the other side\'s cosignature', async () => {
  for (const [ledger, key, policy, witness] of [
    [ledgerA, logA.verifierKey, policyA, 'WB'],
    [ledgerB, logB.verifierKey, policyB, 'WA'],
  ] as const) {
    const api = new Api(ledger.url);
    const receipt = await api.record(loginEvent(), '?wait=checkpoint');
    const policyText = readFileSync(policy, 'utf8');
    const witnessed = openWitnessedCheckpoint(receipt.checkpoint!, key, parseWitnessPolicy(policyText));
    expect([...witnessed.cosignatures.keys()]).toEqual([witness]);
    expect(witnessed.checkpoint.size).toBeGreaterThan(BigInt(receipt.leafIndex));

    const served = await api.as(undefined).get('/v1/log/checkpoint');
    expect(served.status).toBe(200);
    expect(served.headers.get('trailmark-witnessed')).toBe('true');
    openWitnessedCheckpoint(served.text, key, parseWitnessPolicy(policyText));

    const ready = await api.as(undefined).get<{ witnesses: Array<{ name: string; cosignedSize: number }> }>('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.json.witnesses).toEqual([expect.objectContaining({ name: witness, cosignedSize: expect.any(Number) })]);
  }
  // A's cosignature is by B's witness only: against B's policy it does not meet the quorum.
  const { text } = await new Api(ledgerA.url).as(undefined).get('/v1/log/checkpoint');
  expect(() => openWitnessedCheckpoint(text, logA.verifierKey, parseWitnessPolicy(`witness WA ${witnessA.vkey}\nquorum WA\n`))).toThrow(VerificationError);
});

test('trailmark-verify --policy checks the cosignatures of a checkpoint, a receipt, a consistency proof and a bundle', async () => {
  const api = new Api(ledgerA.url);
  const first = await api.record(loginEvent(), '?wait=checkpoint');
  const older = file('older.checkpoint', first.checkpoint!);
  const receipt = await api.record(loginEvent({ action: 'user.logout' }), '?wait=checkpoint');
  const proof = await api.get(`/v1/events/${receipt.id}/proof`, { accept: 'text/x.tlog-proof' });
  expect(proof.text).toContain('— b.test/witness ');
  const leaf = (await api.get<{ leaf: string }>(`/v1/events/${receipt.id}`)).json.leaf;
  const leafFile = join(work, 'leaf.json');
  writeFileSync(leafFile, Buffer.from(leaf, 'base64'));
  const receiptFile = file('receipt.tlog-proof', proof.text);
  const newer = file('newer.checkpoint', receipt.checkpoint!);
  const from = openCheckpoint(first.checkpoint!, logA.verifierKey).size;
  const to = openCheckpoint(receipt.checkpoint!, logA.verifierKey).size;
  const consistency = await api.get<{ proof: string[] }>(`/v1/log/proof/consistency?from=${from}&to=${to}`);
  const proofFile = file('consistency.proof', consistency.json.proof.join('\n'));
  const bundle = await api.get('/v1/events/export?tenant=acme&format=evidence');
  expect(bundle.status).toBe(200);
  const bundleFile = file('evidence.ndjson', bundle.text);
  const wrongPolicy = file('wrong-policy', `witness WA ${witnessA.vkey}\nquorum WA\n`);

  const runs = {
    checkpoint: ['checkpoint', '--key', logA.verifierKey, newer],
    receipt: ['receipt', '--key', logA.verifierKey, '--leaf', leafFile, receiptFile],
    consistency: ['consistency', '--key', logA.verifierKey, '--old', older, '--new', newer, '--proof', proofFile],
    bundle: ['bundle', '--key', logA.verifierKey, bundleFile],
  };
  for (const [command, args] of Object.entries(runs)) {
    const ok = await runCli([...args, '--policy', policyA]);
    expect([command, ok.code, ok.stderr]).toEqual([command, 0, '']);
    expect(ok.stdout).toMatch(/witnessed by WB \(quorum WB\)/);
    const refused = await runCli([...args, '--policy', wrongPolicy]);
    expect([command, refused.code]).toEqual([command, 1]);
    expect(refused.stderr).toMatch(/does not meet the witness quorum WA/);
  }
});

test('GET /metrics: the last size each witness cosigned, its failures and latency', async () => {
  await new Api(ledgerA.url).record(loginEvent(), '?wait=checkpoint');
  const metrics = await (await fetch(`${ledgerA.url}/metrics`)).text();
  expect(metrics).toMatch(/^trailmark_witness_cosigned_size\{witness="WB"\} [1-9]\d*$/m);
  expect(metrics).toMatch(/^trailmark_witness_request_duration_seconds_count\{witness="WB"\} [1-9]\d*$/m);
  expect(metrics).toContain('# TYPE trailmark_witness_failures_total counter');
});

test('witnesses down: nothing is served as witnessed; with TRAILMARK_SERVE_UNWITNESSED the signed one is, marked', async () => {
  const key = generateNoteKey('c.test/log');
  const deadPolicy = file('dead-policy', `witness WB ${witnessB.vkey} http://127.0.0.1:${await closedPort()}\nquorum WB\n`);
  const strict = await startLedger(newDataDir(), { TRAILMARK_SIGNING_KEY: key.signerKey, TRAILMARK_WITNESS_POLICY: deadPolicy });
  try {
    const refused = await new Api(strict.url).as(undefined).get('/v1/log/checkpoint');
    expect(refused.status).toBe(503);
    expect(refused.text).toContain('no checkpoint meets the witness quorum yet');
  } finally {
    await strict.stop();
  }
  const lenient = await startLedger(newDataDir(), {
    TRAILMARK_SIGNING_KEY: key.signerKey,
    TRAILMARK_WITNESS_POLICY: deadPolicy,
    TRAILMARK_SERVE_UNWITNESSED: 'true',
  });
  try {
    const api = new Api(lenient.url);
    await api.record();
    const served = await until(async () => {
      const reply = await api.as(undefined).get('/v1/log/checkpoint');
      return reply.status === 200 && openCheckpoint(reply.text, key.verifierKey).size >= 1n ? reply : undefined;
    });
    expect(served.headers.get('trailmark-witnessed')).toBe('false');
    const ready = await api.as(undefined).get<{ witnesses: Array<{ lastError?: string }> }>('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.json.witnesses[0]!.lastError).toMatch(/ECONNREFUSED/);
  } finally {
    await lenient.stop();
  }
}, 600_000);

// A restored EventStoreDB is not a copied data dir: this case is the embedded store's.
(TEST_STORE === 'sqlite' ? test : test.skip)(
  'a ledger restored from an older backup signs a conflicting checkpoint: the witness refuses it, it is not served, and ready and the log say why',
  async () => {
    const api = (): Api => new Api(ledgerA.url);
    await api().record(loginEvent(), '?wait=checkpoint');
    const backup = join(work, 'backup');
    await ledgerA.stop();
    cpSync(ledgerA.dataDir, backup, { recursive: true });
    ledgerA = await startLedger(ledgerA.dataDir, envA);
    const backedUp = openCheckpoint((await api().as(undefined).get('/v1/log/checkpoint')).text, logA.verifierKey);
    let lost: ReceiptBody | undefined;
    for (let i = 0; i < 3; i++) lost = await api().record(loginEvent({ reason: `lost ${i}` }), '?wait=checkpoint');
    const cosignedBeforeRestore = openCheckpoint(lost!.checkpoint!, logA.verifierKey);
    await ledgerA.stop();

    // The operator restores the whole data dir from the backup, and the log goes on.
    rmSync(ledgerA.dataDir, { recursive: true, force: true });
    cpSync(backup, ledgerA.dataDir, { recursive: true });
    ledgerA = await startLedger(ledgerA.dataDir, envA);
    const events = Array.from({ length: 4 }, (_, i) => loginEvent({ actor: { type: 'user', id: `after-restore-${i}` } }));
    expect((await api().post('/v1/events/batch', { events })).status).toBe(201);

    const notReady = await until(async () => {
      const reply = await api().as(undefined).get<{ error: { code: string; message: string } }>('/health/ready');
      return reply.status === 503 ? reply : undefined;
    });
    expect(notReady.json.error.code).toBe('witness_conflict');
    expect(notReady.json.error.message).toMatch(/witness WB: (422|409)/);
    expect(notReady.json.error.message).toContain(`size ${cosignedBeforeRestore.size}`);

    // What is served is still the last checkpoint the witness vouched for in this log's (restored) history.
    const served = await api().as(undefined).get('/v1/log/checkpoint');
    expect(served.headers.get('trailmark-witnessed')).toBe('true');
    const servedCheckpoint = openCheckpoint(served.text, logA.verifierKey);
    expect(servedCheckpoint.size).toBe(backedUp.size);
    expect(servedCheckpoint.size).toBeLessThan(cosignedBeforeRestore.size);
    expect(ledgerA.output()).toMatch(/"msg":"ledger background failure"[\s\S]*witness WB: (422|409)|witness WB: (422|409)[\s\S]*"msg":"ledger background failure"/);
    expect(witnessB.output()).toContain('witness refused a signed checkpoint');
  },
  600_000,
);

test('trailmark witness serve over HTTP: the tlog-witness statuses, and a kill -9 after it answered does not make it forget', async () => {
  const log = generateNoteKey('d.test/log');
  const signer = parseSignerKey(log.signerKey);
  const tree = (tag: string): MerkleTree => {
    const built = MerkleTree.open(new MemoryTileStore());
    built.append(Array.from({ length: 6 }, (_, i) => new TextEncoder().encode(`${tag} ${i}`)));
    return built;
  };
  const note = (of: MerkleTree, size: bigint): string =>
    signCheckpoint({ origin: 'd.test/log', size, root: of.root(size), extensions: [] }, signer);
  const body = (old: bigint, proof: Uint8Array[], checkpoint: string): string =>
    `old ${old}\n${proof.map((hash) => `${encodeBase64(hash)}\n`).join('')}\n${checkpoint}`;
  const logs = file('witness-d.logs', `log ${log.verifierKey}\n`);
  const dir = join(work, 'witness-d');
  const post = async (witness: WitnessProcess, text: string) => {
    const reply = await fetch(`${witness.url}/add-checkpoint`, { method: 'POST', body: text });
    return { status: reply.status, type: reply.headers.get('content-type'), text: await reply.text() };
  };

  const first = await startWitness(dir, logs);
  const honest = tree('honest');
  expect((await post(first, body(0n, [], note(honest, 4n)))).status).toBe(200);
  const cosigned = await post(first, body(4n, honest.proveConsistency(4n, 6n), note(honest, 6n)));
  expect(cosigned.status).toBe(200);
  expect(cosigned.text).toMatch(new RegExp(`^— ${first.vkey.split('+')[0]!.replace(/[.]/g, '\\.')} \\S+\\n$`));
  await first.kill();

  const again = await startWitness(dir, logs);
  try {
    expect(again.vkey).toBe(first.vkey);
    const forked = tree('forked');
    expect(await post(again, body(0n, [], note(forked, 6n)))).toEqual({ status: 409, type: 'text/x.tlog.size', text: '6\n' });
    expect(await post(again, body(6n, [], note(forked, 6n)))).toEqual({ status: 409, type: 'text/x.tlog.size', text: '6\n' });
    const longer = MerkleTree.open(new MemoryTileStore());
    longer.append(Array.from({ length: 9 }, (_, i) => new TextEncoder().encode(`forked ${i}`)));
    expect((await post(again, body(6n, longer.proveConsistency(6n, 9n), note(longer, 9n)))).status).toBe(422);
    expect((await post(again, body(7n, [], note(honest, 6n)))).status).toBe(400);
    const stranger = generateNoteKey('e.test/log');
    const strangerNote = signCheckpoint({ origin: 'e.test/log', size: 6n, root: honest.root(6n), extensions: [] }, parseSignerKey(stranger.signerKey));
    expect((await post(again, body(6n, [], strangerNote))).status).toBe(404);
    const impostor = parseSignerKey(generateNoteKey('d.test/log').signerKey);
    const impostorNote = signCheckpoint({ origin: 'd.test/log', size: 6n, root: honest.root(6n), extensions: [] }, impostor);
    expect((await post(again, body(6n, [], impostorNote))).status).toBe(403);
    expect(again.output()).toContain('witness refused a signed checkpoint');
  } finally {
    await again.stop();
  }
}, 600_000);
