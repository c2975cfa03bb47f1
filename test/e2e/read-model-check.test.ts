// The read models are checked against the tree, not trusted: on start (a read model whose end does not match the
// tree is rebuilt, and the log says so), and in every export that ends with a signed checkpoint.
import { cpSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { canonicalJson } from '@trailmark/domain';
import { Api, loginEvent } from '../support/http-api.js';
import { DEV_TOKEN, makeDataDir, type LedgerProcess } from '../support/ledger-process.js';
import { leftoverKiller } from '../support/refused-start.js';

/** Each test starts the ledger several times: a budget no slow machine trips, not a measure of speed. */
const SEVERAL_STARTS_MS = 600_000;

const ledgers = leftoverKiller();
afterEach(() => ledgers.killLeftovers());

interface SearchBody {
  events: { leafIndex: number; event: { actor: { id: string } } }[];
}

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

function dataDirForTest(): string {
  const { dataDir, cleanup } = makeDataDir();
  cleanups.push(cleanup);
  return dataDir;
}

/** Records `count` logins of u_0, u_1, ..., waits until the read model holds them, and stops the ledger. */
async function recordProjectAndStop(dataDir: string, count: number): Promise<void> {
  const ledger = await ledgers.start(dataDir);
  const api = new Api(ledger.url);
  for (let i = 0; i < count; i++) await api.record(loginEvent({ actor: { type: 'user', id: `u_${i}` } }), i === count - 1 ? '?wait=checkpoint' : '');
  // A search answers from the read model, and only once it holds every leaf of the tree.
  expect((await api.get<SearchBody>('/v1/events?tenant=acme&action=user.login&limit=1000')).json.events).toHaveLength(count);
  expect(await ledger.stop()).toBe(0);
}

/** Rewrites the actor in the read model's copy of leaf `leafIndex` (still canonical JSON), as someone holding projections.db could. */
function forgeReadModelRow(dataDir: string, leafIndex: number): void {
  const db = new Database(join(dataDir, 'projections.db'));
  try {
    const { leaf } = db.prepare<[number], { leaf: Buffer }>('SELECT leaf FROM projected_events WHERE leaf_index = ?').get(leafIndex)!;
    const envelope = JSON.parse(leaf.toString('utf8')) as { actor: { id: string } };
    envelope.actor.id = 'u_forged';
    db.prepare('UPDATE projected_events SET leaf = ?, actor_id = ? WHERE leaf_index = ?').run(canonicalJson(envelope), 'u_forged', leafIndex);
  } finally {
    db.close();
  }
}

function lastProjectedLeaf(dataDir: string): number {
  const db = new Database(join(dataDir, 'projections.db'), { readonly: true });
  try {
    return db.prepare<[], { last: number }>('SELECT max(leaf_index) AS last FROM projected_events').get()!.last;
  } finally {
    db.close();
  }
}

async function actorsOfLogins(ledger: LedgerProcess): Promise<string[]> {
  const reply = await new Api(ledger.url).get<SearchBody>('/v1/events?tenant=acme&action=user.login&limit=1000');
  expect(reply.status).toBe(200);
  return reply.json.events.map(({ event }) => event.actor.id);
}

test('a read model whose last leaf is not the tree\'s is rebuilt on start, and the log says so', async () => {
  const dataDir = dataDirForTest();
  await recordProjectAndStop(dataDir, 5);
  // The search above was recorded (audit_log.read): whatever the last leaf is, forge it.
  const last = lastProjectedLeaf(dataDir);
  forgeReadModelRow(dataDir, last);
  forgeReadModelRow(dataDir, 4);

  const ledger = await ledgers.start(dataDir);
  expect(await actorsOfLogins(ledger)).toEqual(['u_0', 'u_1', 'u_2', 'u_3', 'u_4']);
  expect(await ledger.stop()).toBe(0);
  // Read once the process has ended: the log comes through a pipe of its own.
  expect(ledger.output()).toContain(`the read model does not match the tree (its copy of leaf ${last}, its last, hashes to `);
  expect(ledger.output()).toContain('rebuilding it from the event store');
}, SEVERAL_STARTS_MS);

test('a read model holding more leaves than the tree (another log\'s) is rebuilt on start', async () => {
  const dataDir = dataDirForTest();
  const larger = dataDirForTest();
  await recordProjectAndStop(dataDir, 2);
  await recordProjectAndStop(larger, 6);
  for (const suffix of ['', '-wal', '-shm']) {
    rmSync(join(dataDir, `projections.db${suffix}`), { force: true });
    if (existsSync(join(larger, `projections.db${suffix}`))) cpSync(join(larger, `projections.db${suffix}`), join(dataDir, `projections.db${suffix}`));
  }

  const ledger = await ledgers.start(dataDir);
  expect(await actorsOfLogins(ledger)).toEqual(['u_0', 'u_1']);
  expect(await ledger.stop()).toBe(0);
  expect(ledger.output()).toMatch(/the read model does not match the tree \(it holds \d+ leaves but the tree only \d+\): rebuilding it/);
}, SEVERAL_STARTS_MS);

test('an export stops at a read-model row that does not hash to the signed tree: no forged leaf under a checkpoint', async () => {
  const dataDir = dataDirForTest();
  await recordProjectAndStop(dataDir, 5);
  // Not the last leaf, which the start checks: a row in the middle.
  forgeReadModelRow(dataDir, 2);

  const ledger = await ledgers.start(dataDir);
  try {
    const response = await fetch(`${ledger.url}/v1/events/export?tenant=acme&format=ndjson`, { headers: { authorization: `Bearer ${DEV_TOKEN}` } });
    const body = await response.text().catch((error: Error) => `(the response broke off: ${error.message})`);
    expect(body).not.toContain('u_forged');
    expect(body).not.toContain('"checkpoint"');
    expect(response.status).toBe(500);
  } finally {
    expect(await ledger.stop()).toBe(0);
  }
  // Read once the process has ended: its log reaches this process through a pipe, after the response.
  expect(ledger.output()).toContain("the read model's row for leaf 2 (event ");
  expect(ledger.output()).not.toContain('the read model does not match the tree');
}, SEVERAL_STARTS_MS);
