// Crash test (DESIGN.md, "Testing and measuring"): `kill -9` the service under concurrent load, restart it on
// the same data dir, and show that nothing it acknowledged was lost or moved, that the leaves stay dense, and
// that the log it serves after the restart is consistent with every checkpoint anyone saw before the crash.
// Twice in one test: crash → restart → more load → crash → restart.
import { randomUUID } from 'node:crypto';
import {
  asHash,
  decodeBase64,
  equalHashes,
  encodeBase64,
  hashLeaf,
  openCheckpoint,
  verifyConsistency,
  verifyInclusion,
  verifyReceipt,
  type Hash,
} from '@trailmark/proofs';
import { DEV_TOKEN, makeDataDir, startLedger, TEST_STORE, type LedgerProcess } from '../support/ledger-process.js';
import type { ProofBody } from '../support/http-api.js';
import { LONG_TEST_BUDGET_MS } from '../support/budgets.js';

const CLIENTS = 24;
/** Each client sends at most this many requests per load phase: the loop is bounded even if the kill never comes. */
const REQUESTS_PER_CLIENT = 250;
/** Kill once this many events of the phase were acknowledged. */
const KILL_AFTER_ACKNOWLEDGED = [1200, 1500];
/** The kill comes up to this long after the threshold, load still running. */
const KILL_JITTER_MS = 25;
const MONITOR_EVERY_MS = 50;
const MONITOR_MAX_POLLS = 2000;
/** Only a hang detector: on a busy machine a request may wait long, and waiting is no failure. */
const REQUEST_TIMEOUT_MS = 300_000;
const VERIFY_CONCURRENCY = 16;
/** Every how many verified events the C2SP tlog-proof form is checked too, with verifyReceipt. */
const TLOG_PROOF_SAMPLE = 20;

const AUTH = { authorization: `Bearer ${DEV_TOKEN}` };
const JSON_HEADERS = { ...AUTH, 'content-type': 'application/json' };

interface Acknowledged {
  readonly id: string;
  readonly leafIndex: number;
  readonly time: string;
}

/** A POST that got no answer: the connection died with the service (or, should that happen, it timed out). */
interface Unanswered {
  readonly ids: readonly string[];
  readonly batch: boolean;
  readonly body: string;
  readonly error: string;
}

interface SeenCheckpoint {
  readonly note: string;
  readonly size: bigint;
  readonly root: Hash;
  readonly where: string;
}

/** What the test knows across crashes: every receipt, every unanswered request, every checkpoint seen. */
class History {
  readonly acknowledged = new Map<string, Acknowledged>();
  unanswered: Unanswered[] = [];
  /** Answers that were neither 201 nor a dead connection: none is expected (the test never repeats an id). */
  readonly unexpected: string[] = [];
  readonly checkpoints = new Map<string, SeenCheckpoint>();
  /** Events of unanswered requests found in the log after a restart: from then on they stay, at that leaf. */
  readonly landed = new Map<string, number>();
  /** Receipts of POST ?wait=checkpoint answered before a crash: their proofs must still verify after it. */
  readonly provenReceipts: { id: string; leafIndex: number; proof: string[]; checkpoint: SeenCheckpoint }[] = [];

  constructor(readonly key: string) {}

  acknowledge(receipt: { id: string; leafIndex: number; time: string }): void {
    if (this.acknowledged.has(receipt.id)) this.unexpected.push(`two receipts for ${receipt.id}`);
    this.acknowledged.set(receipt.id, { id: receipt.id, leafIndex: receipt.leafIndex, time: receipt.time });
  }

  /** Opens the note with the log's key (throws if it does not verify) and keeps it. */
  sawCheckpoint(note: string, where: string): SeenCheckpoint {
    const known = this.checkpoints.get(note);
    if (known) return known;
    const { size, root } = openCheckpoint(note, this.key);
    const seen = { note, size, root, where };
    this.checkpoints.set(note, seen);
    return seen;
  }
}

function eventBody(id: string, client: number, seq: number): object {
  const user = `u_${client}_${seq % 7}`;
  const common = {
    id,
    tenant: client % 2 === 0 ? 'acme' : 'globex',
    actor: { type: 'user', id: user, authMethod: 'password' },
    context: { ip: '203.0.113.7', requestId: `crash-${client}-${seq}` },
  };
  switch (seq % 3) {
    case 0:
      return { ...common, action: 'user.login', outcome: 'success', targets: [{ type: 'user', id: user }] };
    case 1:
      return { ...common, action: 'user.login', outcome: 'failure', reason: 'wrong_password', targets: [{ type: 'user', id: user }] };
    default:
      return {
        ...common,
        action: 'role.granted',
        outcome: 'success',
        targets: [
          { type: 'user', id: `u_${seq}` },
          { type: 'role', id: 'auditor' },
        ],
        changes: { before: { roles: [] }, after: { roles: ['auditor'] } },
      };
  }
}

function describeError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

async function getJson<T>(url: string, expectedStatus = 200): Promise<T> {
  const response = await fetch(url, { headers: AUTH, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const text = await response.text();
  if (response.status !== expectedStatus) throw new Error(`GET ${url}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

async function getText(url: string, headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(url, { headers: { ...AUTH, ...headers }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${text}`);
  return text;
}

/** Runs `fn` over `items`, at most `concurrency` at a time. */
async function inPool<T, R>(items: readonly T[], concurrency: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

const hashes = (base64: readonly string[]): Hash[] => base64.map((h) => asHash(decodeBase64(h)));

interface LoadFigures {
  acknowledged: number;
  requests: number;
  unansweredRequests: number;
  unansweredEvents: number;
  checkpointsSeen: number;
}

/**
 * CLIENTS clients post events in a loop (mostly single events, some batches, a few ?wait=checkpoint) while a
 * monitor polls the checkpoint; once `killAfter` events were acknowledged the service gets SIGKILL with
 * requests in flight. Resolves when every client and the monitor have stopped.
 */
async function loadAndKill(ledger: LedgerProcess, history: History, killAfter: number, phase: string): Promise<LoadFigures> {
  let stopping = false;
  let acknowledged = 0;
  let requests = 0;
  let inFlight = 0;
  const unansweredBefore = history.unanswered.length;
  const checkpointsBefore = history.checkpoints.size;
  let triggerKill!: () => void;
  const killWanted = new Promise<void>((resolve) => (triggerKill = resolve));

  const client = async (c: number): Promise<void> => {
    for (let seq = 0; seq < REQUESTS_PER_CLIENT && !stopping; seq++) {
      const batch = seq % 8 === 5;
      const wait = seq % 12 === 3; // never a batch (seq % 8 is 3 or 7)
      const ids = Array.from({ length: batch ? 2 + ((c + seq) % 19) : 1 }, () => randomUUID());
      const bodies = ids.map((id, k) => eventBody(id, c, seq * 32 + k));
      const url = `${ledger.url}/v1/events${batch ? '/batch' : ''}${wait ? '?wait=checkpoint' : ''}`;
      requests++;
      inFlight++;
      const body = JSON.stringify(batch ? { events: bodies } : bodies[0]);
      let response: Response;
      let text: string;
      try {
        response = await fetch(url, { method: 'POST', headers: JSON_HEADERS, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        text = await response.text();
      } catch (error) {
        history.unanswered.push({ ids, batch, body, error: describeError(error) });
        return; // the service is gone (or wedged): this client stops
      } finally {
        inFlight--;
      }
      if (response.status !== 201) {
        history.unexpected.push(`${phase} POST ${url}: ${response.status} ${text.slice(0, 300)}`);
        return;
      }
      const answer = JSON.parse(text) as { id: string; leafIndex: number; time: string; checkpoint?: string; proof?: string[]; treeSize?: number };
      const receipts = batch ? (answer as unknown as { events: (typeof answer)[] }).events : [answer];
      receipts.forEach((receipt, k) => {
        if (receipt.id !== ids[k]) history.unexpected.push(`${phase} receipt ${k} names ${receipt.id}, the request sent ${ids[k]}`);
        history.acknowledge(receipt);
      });
      if (wait) {
        // The receipt's checkpoint was served before the crash, like the monitor's; its proof is checked after the restart.
        const seen = history.sawCheckpoint(answer.checkpoint!, `${phase} receipt`);
        if (seen.size !== BigInt(answer.treeSize!)) history.unexpected.push(`${phase} receipt treeSize ${answer.treeSize}, checkpoint ${seen.size}`);
        history.provenReceipts.push({ id: answer.id, leafIndex: answer.leafIndex, proof: answer.proof!, checkpoint: seen });
      }
      acknowledged += receipts.length;
      if (acknowledged >= killAfter) triggerKill();
    }
  };

  const monitor = async (): Promise<void> => {
    for (let poll = 0; poll < MONITOR_MAX_POLLS && !stopping; poll++) {
      try {
        const response = await fetch(`${ledger.url}/v1/log/checkpoint`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        const note = await response.text();
        if (response.status === 200) history.sawCheckpoint(note, `${phase} monitor`);
        else history.unexpected.push(`${phase} GET /v1/log/checkpoint: ${response.status} ${note}`);
      } catch (error) {
        if (!stopping) history.unexpected.push(`${phase} monitor: ${describeError(error)}`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, MONITOR_EVERY_MS));
    }
  };

  const clients = Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
  // If the clients run out of requests before the threshold, kill anyway (then nothing is in flight).
  void clients.then(() => triggerKill());
  const monitoring = monitor();
  await killWanted;
  // The threshold is crossed just as the service finished answering a group; a random further moment lets the
  // kill land in any phase of the write path (parsing, group commit, sequencing, answering).
  await new Promise((resolve) => setTimeout(resolve, Math.random() * KILL_JITTER_MS));
  stopping = true;
  const inFlightAtKill = inFlight;
  await ledger.kill();
  await Promise.all([clients, monitoring]);
  const unanswered = history.unanswered.slice(unansweredBefore);
  console.log(
    `${phase}: SIGKILL with ${inFlightAtKill} requests in flight, after ${acknowledged} acknowledged events ` +
      `(${requests} requests); ${unanswered.length} requests (${unanswered.reduce((n, u) => n + u.ids.length, 0)} events) ` +
      `went unanswered [${[...new Set(unanswered.map((u) => u.error))].join(', ')}]; ` +
      `${history.checkpoints.size - checkpointsBefore} distinct checkpoints seen`,
  );
  return {
    acknowledged,
    requests,
    unansweredRequests: unanswered.length,
    unansweredEvents: unanswered.reduce((n, u) => n + u.ids.length, 0),
    checkpointsSeen: history.checkpoints.size - checkpointsBefore,
  };
}

interface EventView {
  id: string;
  leafIndex: number;
  leaf: string;
  event: { id: string; time: string };
}

/**
 * EventStoreDB commits one stream per append, so a batch across streams can be cut by the kill part-way
 * (README: the choice between the stores). Its recovery is the client's: send the batch again with the same
 * ids. That completes it, the events already stored keeping their leaves, and the batch counts as acknowledged.
 */
async function completePartlyStoredBatches(ledger: LedgerProcess, history: History, phase: string): Promise<void> {
  const stored = async (id: string) => {
    const response = await fetch(`${ledger.url}/v1/events/${id}`, { headers: AUTH, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const view = response.status === 200 ? ((await response.json()) as EventView) : undefined;
    if (response.status !== 200 && response.status !== 404) throw new Error(`GET /v1/events/${id}: ${response.status}`);
    return view;
  };
  const completed: Unanswered[] = [];
  for (const request of history.unanswered.filter((unanswered) => unanswered.batch)) {
    const views = await Promise.all(request.ids.map(stored));
    const present = views.filter((view) => view !== undefined).length;
    if (present === 0 || present === request.ids.length) continue;
    const response = await fetch(`${ledger.url}/v1/events/batch`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: request.body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    expect(response.status).toBe(201);
    const { events } = (await response.json()) as { events: Acknowledged[] };
    expect(events.map((receipt) => receipt.id)).toEqual(request.ids);
    events.forEach((receipt, k) => {
      if (views[k] !== undefined) expect(receipt.leafIndex).toBe(views[k].leafIndex);
      history.acknowledge(receipt);
    });
    completed.push(request);
  }
  history.unanswered = history.unanswered.filter((request) => !completed.includes(request));
  console.log(`${phase}: ${completed.length} partly stored batches completed by sending them again with their ids`);
}

/** The service's records of reads (audit_log.read) below `treeSize`, every tenant, found with the search API. */
async function auditReadsBelow(ledger: LedgerProcess, treeSize: bigint): Promise<{ leafIndex: number; event: { id: string; time: string } }[]> {
  const found: { leafIndex: number; event: { id: string; time: string } }[] = [];
  let cursor: number | null = null;
  do {
    const page: { events: typeof found; next: number | null } = await getJson(
      `${ledger.url}/v1/events?action=audit_log.read&limit=1000${cursor === null ? '' : `&cursor=${cursor}`}`,
    );
    found.push(...page.events.filter((read) => BigInt(read.leafIndex) < treeSize));
    cursor = page.next;
  } while (cursor !== null);
  return found;
}

/**
 * After a restart: the key is the same; a POST ?wait=checkpoint gets a new checkpoint; every acknowledged event
 * is there as its receipt said and verifies against that checkpoint; every unanswered request left all of its
 * events or none; the leaves are exactly the events the test knows of, each once; and the new checkpoint is
 * consistent with every checkpoint seen so far, no size with two roots.
 */
async function verifyAfterRestart(ledger: LedgerProcess, history: History, phase: string): Promise<{ treeSize: bigint }> {
  expect(await getText(`${ledger.url}/v1/log/key`)).toBe(`${history.key}\n`);
  if (TEST_STORE === 'esdb') await completePartlyStoredBatches(ledger, history, phase);

  const markerId = randomUUID();
  const marker = await fetch(`${ledger.url}/v1/events?wait=checkpoint`, {
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify(eventBody(markerId, 0, 0)),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  expect(marker.status).toBe(201);
  const markerReceipt = (await marker.json()) as Acknowledged & { checkpoint: string };
  history.acknowledge(markerReceipt);
  history.sawCheckpoint(markerReceipt.checkpoint, `${phase} marker receipt`);

  const latest = history.sawCheckpoint(await getText(`${ledger.url}/v1/log/checkpoint`), `${phase} after restart`);
  const treeSize = latest.size;
  expect(treeSize).toBeGreaterThan(BigInt(markerReceipt.leafIndex));

  // No size ever had two roots, and the new checkpoint extends every one seen before (and since) the crash.
  const rootBySize = new Map<bigint, string>();
  for (const seen of history.checkpoints.values()) {
    const root = encodeBase64(seen.root);
    const other = rootBySize.get(seen.size);
    if (other !== undefined && other !== root) throw new Error(`two roots for size ${seen.size}: ${other} and ${root} (${seen.where})`);
    rootBySize.set(seen.size, root);
  }
  await inPool([...history.checkpoints.values()], VERIFY_CONCURRENCY, async (old) => {
    expect(old.size <= treeSize).toBe(true);
    const { proof } = await getJson<{ proof: string[] }>(`${ledger.url}/v1/log/proof/consistency?from=${old.size}&to=${treeSize}`);
    verifyConsistency(old.size, treeSize, hashes(proof), old.root, latest.root);
  });

  // Every acknowledged event: same leaf index and time as its receipt, and its leaf verifies against `latest`.
  const leafIndexes = new Map<number, string>();
  const placeLeaf = (id: string, leafIndex: number): void => {
    const other = leafIndexes.get(leafIndex);
    if (other !== undefined) throw new Error(`leaf ${leafIndex} is both ${other} and ${id}`);
    leafIndexes.set(leafIndex, id);
  };
  const timeByLeaf = new Map<number, string>();
  const leafById = new Map<string, Uint8Array>();
  const checkEvent = async (id: string, sample: boolean): Promise<EventView | undefined> => {
    const response = await fetch(`${ledger.url}/v1/events/${id}`, { headers: AUTH, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    if (response.status === 404) return undefined;
    const text = await response.text();
    if (response.status !== 200) throw new Error(`GET /v1/events/${id}: ${response.status} ${text}`);
    const view = JSON.parse(text) as EventView;
    expect(view.id).toBe(id);
    expect(view.event.id).toBe(id);
    const leaf = decodeBase64(view.leaf);
    const proof = await getJson<ProofBody>(`${ledger.url}/v1/events/${id}/proof?treeSize=${treeSize}`);
    expect(proof.leafIndex).toBe(view.leafIndex);
    expect(proof.treeSize).toBe(Number(treeSize));
    expect(proof.leaf).toBe(view.leaf);
    expect(proof.checkpoint).toBe(latest.note);
    const leafHash = hashLeaf(leaf);
    expect(equalHashes(leafHash, asHash(decodeBase64(proof.leafHash)))).toBe(true);
    verifyInclusion(BigInt(view.leafIndex), treeSize, leafHash, hashes(proof.proof), latest.root);
    if (sample) {
      const tlogProof = await getText(`${ledger.url}/v1/events/${id}/proof`, { accept: 'text/x.tlog-proof' });
      const { index, checkpoint } = verifyReceipt(leaf, tlogProof, history.key);
      expect(index).toBe(BigInt(view.leafIndex));
      expect(checkpoint.size >= treeSize).toBe(true);
    }
    timeByLeaf.set(view.leafIndex, view.event.time);
    leafById.set(id, leaf);
    return view;
  };

  const acknowledged = [...history.acknowledged.values()];
  await inPool(acknowledged, VERIFY_CONCURRENCY, async (receipt, i) => {
    const view = await checkEvent(receipt.id, i % TLOG_PROOF_SAMPLE === 0);
    if (!view) throw new Error(`${phase}: acknowledged event ${receipt.id} (leaf ${receipt.leafIndex}) is missing after the restart`);
    expect({ id: receipt.id, leafIndex: view.leafIndex, time: view.event.time }).toEqual(receipt);
    placeLeaf(receipt.id, view.leafIndex);
  });

  // Unanswered requests: each left all of its events (a batch is all or nothing) or none, and each at most once.
  let presentRequests = 0;
  let presentEvents = 0;
  await inPool(history.unanswered, VERIFY_CONCURRENCY, async (request) => {
    const views = await Promise.all(request.ids.map((id) => checkEvent(id, false)));
    const present = views.filter((view) => view !== undefined);
    if (present.length !== 0 && present.length !== request.ids.length) {
      throw new Error(`an unanswered batch left ${present.length} of its ${request.ids.length} events`);
    }
    request.ids.forEach((id, k) => {
      const before = history.landed.get(id);
      if (before !== undefined && views[k]?.leafIndex !== before) {
        throw new Error(`${phase}: event ${id} was leaf ${before} after an earlier restart, now ${views[k]?.leafIndex ?? 'absent'}`);
      }
      if (views[k]) history.landed.set(id, views[k].leafIndex);
    });
    if (present.length > 0) presentRequests++;
    presentEvents += present.length;
    for (const view of present) placeLeaf(view.id, view.leafIndex);
  });

  // Proofs handed out with receipts before a crash still prove the leaf the log now serves.
  for (const receipt of history.provenReceipts) {
    const { size, root } = receipt.checkpoint;
    verifyInclusion(BigInt(receipt.leafIndex), size, hashLeaf(leafById.get(receipt.id)!), hashes(receipt.proof), root);
  }

  // The service writes too: each read of an event or its proof above is an audit_log.read, and those of earlier
  // phases are below this tree size.
  const reads = await auditReadsBelow(ledger, treeSize);
  for (const read of reads) {
    placeLeaf(read.event.id, read.leafIndex);
    timeByLeaf.set(read.leafIndex, read.event.time);
  }

  // Dense: the test and the service's own read records are the only writers, so the leaves are exactly the
  // events found, each at its own index.
  expect(BigInt(leafIndexes.size)).toBe(treeSize);
  for (let i = 0; i < leafIndexes.size; i++) if (!leafIndexes.has(i)) throw new Error(`leaf ${i} is none of the test's events`);
  if (TEST_STORE === 'sqlite') {
    // Server time never repeats or goes back along the leaves, across crashes too.
    expect(timeByLeaf.size).toBe(leafIndexes.size);
    for (let i = 1; i < timeByLeaf.size; i++) {
      if (!(timeByLeaf.get(i)! > timeByLeaf.get(i - 1)!)) {
        throw new Error(`leaf ${i} has time ${timeByLeaf.get(i)}, not after leaf ${i - 1}'s ${timeByLeaf.get(i - 1)}`);
      }
    }
  } else {
    // EventStoreDB commits concurrent appends in its own order, so times stamped a moment apart may land in the
    // other order (README); server time still never repeats.
    expect(new Set(timeByLeaf.values()).size).toBe(timeByLeaf.size);
  }

  console.log(
    `${phase}: restarted; tree size ${treeSize}: ${acknowledged.length} acknowledged events all present and verified; ` +
      `${presentRequests} of ${history.unanswered.length} unanswered requests landed (${presentEvents} events), the rest left nothing; ` +
      `${reads.length} audit_log.read events of earlier reads; ` +
      `new checkpoint consistent with all ${history.checkpoints.size} checkpoints seen; ` +
      `${history.provenReceipts.length} pre-crash receipt proofs still verify`,
  );
  return { treeSize };
}

test('kill -9 under load, twice: every acknowledged event survives and the log only grows', async () => {
  const { dataDir, cleanup } = makeDataDir();
  let ledger: LedgerProcess | undefined;
  // Alerts off: the test checks that it is the log's only writer.
  const env = { TRAILMARK_ALERTS: 'off' };
  try {
    ledger = await startLedger(dataDir, env);
    const history = new History((await getText(`${ledger.url}/v1/log/key`)).trimEnd());
    history.sawCheckpoint(await getText(`${ledger.url}/v1/log/checkpoint`), 'first start');

    for (const [round, killAfter] of KILL_AFTER_ACKNOWLEDGED.entries()) {
      const phase = `crash ${round + 1}`;
      const load = await loadAndKill(ledger, history, killAfter, phase);
      expect(history.unexpected).toEqual([]);
      expect(load.acknowledged).toBeGreaterThanOrEqual(killAfter);
      ledger = await startLedger(dataDir, env);
      await verifyAfterRestart(ledger, history, phase);
    }
    expect(history.unexpected).toEqual([]);
    expect(await ledger.stop()).toBe(0);
    ledger = undefined;
  } finally {
    if (ledger) await ledger.kill();
    await cleanup();
  }
}, LONG_TEST_BUDGET_MS);
