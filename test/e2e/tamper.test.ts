// Tamper tests: record events through the real service, stop it, then edit ledger.db the way an
// attacker holding the file would (drop the append-only triggers, rewrite rows, even rewrite the
// tree's tiles) and show that `trailmark verify --data-dir` names the broken leaf and checkpoint.
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { generateNoteKey, parseSignerKey, verifierKeyFor } from '@trailmark/checkpoint';
import { canonicalJson } from '@trailmark/domain';
import { hashLeaf } from '@trailmark/proofs';
import { DEV_TOKEN, makeDataDir, startLedger } from '../support/ledger-process.js';
import { runTrailmark as trailmark, type CliRun } from '../support/run-cli.js';



const verify = (dataDir: string, ...more: string[]): Promise<CliRun> => trailmark(['verify', '--data-dir', dataDir, ...more]);

const EVENTS = 40;
const TAMPERED_LEAF = 17;

let original: string;
let cleanupOriginal: () => Promise<void>;
const copies: string[] = [];

/** A copy of the recorded data dir, for one attack. */
function copyOfLedger(): string {
  const { dataDir } = makeDataDir();
  cpSync(original, dataDir, { recursive: true });
  copies.push(dataDir);
  return dataDir;
}

/** Opens ledger.db as the attacker does, with the append-only triggers of `events` dropped. */
function openAsAttacker(dataDir: string): Database.Database {
  const db = new Database(join(dataDir, 'ledger.db'));
  const triggers = db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'")
    .all();
  expect(triggers.length).toBeGreaterThan(0);
  for (const { name } of triggers) db.exec(`DROP TRIGGER "${name}"`);
  return db;
}

function eventIdOfLeaf(db: Database.Database, leaf: number): string {
  return db.prepare<[number], { event_id: string }>('SELECT event_id FROM ledger_leaves WHERE leaf_index = ?').get(leaf)!.event_id;
}

/** Leaf 17's event with another actor, re-canonicalised so that it still parses as a valid envelope. */
function forgeActor(db: Database.Database, eventId: string): Uint8Array {
  const { data } = db.prepare<[string], { data: Buffer }>('SELECT data FROM events WHERE id = ?').get(eventId)!;
  const envelope = JSON.parse(data.toString('utf8')) as { actor: { id: string } };
  envelope.actor.id = 'u_attacker';
  const forged = canonicalJson(envelope);
  db.prepare('UPDATE events SET data = ? WHERE id = ?').run(forged, eventId);
  return forged;
}

function checkpointSizes(dataDir: string): bigint[] {
  const db = new Database(join(dataDir, 'ledger.db'), { readonly: true });
  try {
    return db.prepare<[], { size: bigint }>('SELECT size FROM checkpoints ORDER BY size').safeIntegers(true).all().map((row) => row.size);
  } finally {
    db.close();
  }
}

async function post(url: string, body: unknown, wait: boolean): Promise<void> {
  const response = await fetch(`${url}/v1/events${wait ? '?wait=checkpoint' : ''}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${DEV_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(201);
}

beforeAll(async () => {
  ({ dataDir: original, cleanup: cleanupOriginal } = makeDataDir());
  const ledger = await startLedger(original);
  try {
    for (let i = 0; i < EVENTS; i++) {
      const user = `u_${i % 7}`;
      await post(
        ledger.url,
        {
          tenant: i % 3 === 0 ? 'globex' : 'acme',
          action: i % 2 === 0 ? 'user.login' : 'user.logout',
          outcome: 'success',
          actor: { type: 'user', id: user },
          targets: [{ type: 'user', id: user }],
          // Every event but each fifth carries a detail (its envelope commits to it).
          ...(i % 5 !== 4 && { context: { ip: `203.0.113.${i}` } }),
        },
        // Several checkpoints along the way, and the last covering every event.
        i === 9 || i === 24 || i === EVENTS - 1,
      );
    }
  } finally {
    expect(await ledger.stop()).toBe(0);
  }
});

afterAll(async () => {
  await cleanupOriginal();
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

test('an untouched ledger verifies: exit 0 and a summary', async () => {
  const run = await verify(original);
  expect(run.stderr).toMatch(/checked 40 events/);
  expect(run.code).toBe(0);
  const sizes = checkpointSizes(original);
  expect(sizes.at(-1)).toBe(BigInt(EVENTS));
  expect(run.stdout).toMatch(
    new RegExp(`^verified 40 events, tree size 40, ${sizes.length} checkpoints \\(latest size 40, root [A-Za-z0-9+/]{43}=\\), \\d+ read-model rows\\n$`),
  );
});

test('verify reads the ledger without writing it', async () => {
  const dataDir = copyOfLedger();
  const before = readFileSync(join(dataDir, 'ledger.db'));
  expect((await verify(dataDir)).code).toBe(0);
  expect(readFileSync(join(dataDir, 'ledger.db')).equals(before)).toBe(true);
});

test("an event whose stored bytes were rewritten (another actor, still canonical) is named by leaf and id", async () => {
  const dataDir = copyOfLedger();
  const db = openAsAttacker(dataDir);
  const eventId = eventIdOfLeaf(db, TAMPERED_LEAF);
  forgeActor(db, eventId);
  db.close();

  const run = await verify(dataDir);
  expect(run.code).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr).toContain(`leaf ${TAMPERED_LEAF} (event ${eventId}): its leaf hash, recomputed from the stored event`);
  expect(run.stderr).not.toMatch(/more leaves do not match/);
  // Every checkpoint over the leaf fails too, and says which leaf.
  const firstCovering = checkpointSizes(dataDir).find((size) => size > BigInt(TAMPERED_LEAF))!;
  expect(run.stderr).toContain(
    `checkpoint of size ${firstCovering}: root differs from the events (first differing leaf: leaf ${TAMPERED_LEAF} (event ${eventId}))`,
  );
});

test("an event whose stored detail was rewritten no longer opens its envelope's commitment", async () => {
  const dataDir = copyOfLedger();
  const db = openAsAttacker(dataDir);
  const eventId = eventIdOfLeaf(db, TAMPERED_LEAF);
  const { metadata } = db.prepare<[string], { metadata: Buffer }>('SELECT metadata FROM events WHERE id = ?').get(eventId)!;
  const document = JSON.parse(metadata.toString('utf8')) as { detail: { context: { ip: string } } };
  expect(document.detail.context.ip).toBe(`203.0.113.${TAMPERED_LEAF}`);
  document.detail.context.ip = '198.51.100.66';
  db.prepare('UPDATE events SET metadata = ? WHERE id = ?').run(canonicalJson(document), eventId);
  db.close();

  const run = await verify(dataDir);
  expect(run.code).toBe(1);
  expect(run.stderr).toContain(`leaf ${TAMPERED_LEAF} (event ${eventId}): its stored detail does not open the envelope's detail commitment`);
  // The leaf itself is intact: the tree and the checkpoints still match.
  expect(run.stderr).not.toContain('checkpoint of size');
});

test('an attacker who also rewrites the leaf hash in the tiles is caught by the signed checkpoints', async () => {
  const dataDir = copyOfLedger();
  const db = openAsAttacker(dataDir);
  const eventId = eventIdOfLeaf(db, TAMPERED_LEAF);
  const forged = forgeActor(db, eventId);
  // Leaf 17 sits in tile 0/0 at level-0 slot 17 (libs/merkle/src/tile.ts: slot i at byte 32·i).
  const { nodes } = db.prepare<[], { nodes: Buffer }>('SELECT nodes FROM merkle_tiles WHERE level = 0 AND idx = 0').get()!;
  const rewritten = Buffer.from(nodes);
  rewritten.set(hashLeaf(forged), 32 * TAMPERED_LEAF);
  db.prepare('UPDATE merkle_tiles SET nodes = ? WHERE level = 0 AND idx = 0').run(rewritten);
  db.close();

  const run = await verify(dataDir);
  expect(run.code).toBe(1);
  // The leaf hash now matches the stored tree: no leaf line, but the signed roots do not.
  expect(run.stderr).not.toMatch(/^leaf \d+ \(event/m);
  const firstCovering = checkpointSizes(dataDir).find((size) => size > BigInt(TAMPERED_LEAF))!;
  const line = run.stderr.split('\n').find((text) => text.startsWith(`checkpoint of size ${firstCovering}: `));
  expect(line).toBeDefined();
  expect(line).toContain('root differs from the events (first differing leaf: ');
  expect(line).toContain(eventId);
  // The stored tree's inner node over leaves 16 and 17 still holds the original hash.
  expect(run.stderr).toMatch(/stored tiles: the node at level 1, index 8 \(over leaves 16 and 17/);
});

test("a read-model row whose leaf was rewritten is named by leaf and id, though ledger.db is intact", async () => {
  const dataDir = copyOfLedger();
  const file = join(dataDir, 'projections.db');
  const db = new Database(file);
  const row = db.prepare<[number], { id: string; leaf: Buffer }>('SELECT id, leaf FROM projected_events WHERE leaf_index = ?').get(TAMPERED_LEAF)!;
  expect(row).toBeDefined();
  const envelope = JSON.parse(row.leaf.toString('utf8')) as { actor: { id: string } };
  envelope.actor.id = 'u_attacker';
  db.prepare('UPDATE projected_events SET leaf = ?, actor_id = ? WHERE leaf_index = ?').run(canonicalJson(envelope), 'u_attacker', TAMPERED_LEAF);
  db.close();

  const run = await verify(dataDir);
  expect(run.code).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr).toContain(`read model ${file}: its row for leaf ${TAMPERED_LEAF} (event ${row.id}) hashes to `);
  expect(run.stderr).toContain('the read model was changed');
  // The log itself is intact: no leaf and no checkpoint is named.
  expect(run.stderr).not.toMatch(/^leaf \d+ \(event/m);
  expect(run.stderr).not.toContain('checkpoint of size');
});

test('an event deleted from the middle of the store is caught at its leaf', async () => {
  const dataDir = copyOfLedger();
  const db = openAsAttacker(dataDir);
  const eventId = eventIdOfLeaf(db, TAMPERED_LEAF);
  db.prepare('DELETE FROM events WHERE id = ?').run(eventId);
  db.close();

  const run = await verify(dataDir);
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(new RegExp(`^leaf ${TAMPERED_LEAF} \\(event [0-9a-f-]{36}\\): the ledger index and the tree have event ${eventId} as this leaf`, 'm'));
  expect(run.stderr).toContain(`event ${eventId} is no longer in the store (deleted)`);
  const firstCovering = checkpointSizes(dataDir).find((size) => size > BigInt(TAMPERED_LEAF))!;
  expect(run.stderr).toMatch(
    new RegExp(`^checkpoint of size ${firstCovering}: root differs from the events \\(first differing leaf: leaf ${TAMPERED_LEAF} \\(event `, 'm'),
  );
});

test('the last event deleted from the store is caught at its leaf', async () => {
  const dataDir = copyOfLedger();
  const db = openAsAttacker(dataDir);
  const eventId = eventIdOfLeaf(db, EVENTS - 1);
  db.prepare('DELETE FROM events WHERE id = ?').run(eventId);
  db.close();

  const run = await verify(dataDir);
  expect(run.code).toBe(1);
  expect(run.stderr).toContain(`leaf ${EVENTS - 1} (event ${eventId}): the tree and the ledger index hold 40 leaves but the store has only 39`);
  expect(run.stderr).toContain(`checkpoint of size 40: it covers 40 leaves but the store has only 39 identity events (first missing leaf: leaf 39`);
});

test('checkpoints are checked with the key given by --key, which overrides the data dir', async () => {
  const signer = parseSignerKey(readFileSync(join(original, 'signing.key'), 'utf8').trim());
  const good = await verify(original, '--key', verifierKeyFor(signer));
  expect(good.code).toBe(0);

  const other = generateNoteKey(signer.name).verifierKey;
  const bad = await verify(original, '--key', other);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/checkpoint of size \d+: its signature does not open with the log key/);
  expect(bad.stderr).toContain('not to the --key given');
});

test('without signing.key, TRAILMARK_SIGNING_KEY or --key the checkpoints cannot be checked: exit 2', async () => {
  const dataDir = copyOfLedger();
  const signerKey = readFileSync(join(dataDir, 'signing.key'), 'utf8').trim();
  rmSync(join(dataDir, 'signing.key'));
  const run = await verify(dataDir);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('pass --key <verifier key>');

  const fromEnv = await trailmark(['verify', '--data-dir', dataDir], { TRAILMARK_SIGNING_KEY: signerKey });
  expect(fromEnv.code).toBe(0);
  expect(fromEnv.stdout).toMatch(/^verified 40 events/);
});
