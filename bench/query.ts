// bench/query: the read models of libs/projections at scale — projection catch-up, search latency, export
// throughput and the memory an export holds — over identity events built by the domain and stored in a real
// SqliteEventStore, with the ledger's Merkle tree over the same leaves.
//
//   npm run bench:query              1,000,000 events (about 6 minutes on 2 cores)
//   npm run bench:query -- --quick   100,000 events
//   options: --events <n> (any size), --keep (keep the temporary data directory and print it)
//
// PostgreSQL: with TRAILMARK_READ_DB_URL (or TRAILMARK_TEST_PG_URL) set to a postgres:// URL, the catch-up is
// measured there too, in the schema trailmark_bench_query (its tables are emptied again at the end).
//
// What is timed and how:
// - setup (printed, not a target): request bodies for 5 tenants and ~10,000 actors, validated by
//   parseIdentityEventInput, built by prepareEvent + encodeEventMetadata, appended with appendAtomically (1,000
//   requests a call, one fsync a call) to a SqliteEventStore whose file also holds the SqliteTileStore of the tree
//   the same leaves are appended to, as the ledger keeps them;
// - catch-up: a Projector on a fresh SqliteReadModel, from start() to caught up over the whole store, its search
//   indexes built;
// - search: readModel.search called directly (no HTTP, no auth, no read audit), one tenant, limit 100, upTo the
//   tree size as the service passes; baselines measured in the same run on the same read model: search with the
//   tenant alone, and a primary-key lookup of one row by leaf index (plain SQL on a second connection);
// - export: exportChunks of apps/ledger (the service's formatter, 64 KiB chunks of whole lines) over readModel.scan for the largest tenant, into
//   a sink that only counts bytes, then through Readable.from into a temporary file as the service streams it;
//   evidence proves every leaf from the SQLite tile store against a checkpoint signed with libs/checkpoint;
// - memory: a child process (--expose-gc, gc() before it starts) exports every tenant's rows as NDJSON and samples
//   process.memoryUsage() every 100 ms from inside the loop (the export runs in microtasks, so a timer would not fire).
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { generateNoteKey, parseSignerKey, signCheckpoint, verifierKeyFor } from '@trailmark/checkpoint';
import {
  IDENTITY_EVENT_TYPE,
  encodeEventMetadata,
  formatServerTime,
  newEventId,
  parseIdentityEventInput,
  prepareEvent,
} from '@trailmark/domain';
import { SqliteEventStore, type AppendRequest, type EventStore } from '@trailmark/event-store';
import { MerkleTree, SqliteTileStore } from '@trailmark/merkle';
import {
  PostgresReadModel,
  Projector,
  SqliteReadModel,
  exportChunks,
  type EventFilter,
  type ExportCheckpoint,
  type ReadModelStore,
  type SearchOptions,
} from '@trailmark/projections';
import { equalHashes, hashLeaf, verifyEvidenceBundle } from '@trailmark/proofs';

const SELF = fileURLToPath(import.meta.url);
const ORIGIN = 'trailmark.bench/query';
const PRODUCT = { name: 'Trailmark', vendorName: 'Trailmark', version: 'bench', logName: ORIGIN };
const APPEND_CALL = 1_000;
const PAGE_LIMIT = 100;
const WARMUP = 20;
/** Average gap between two events: 1,000,000 events span 10 days (~70 a minute over all tenants). */
const MEAN_GAP_MICROS = 864_000;
/** 2026-03-01T00:00:00Z in microseconds. */
const EPOCH_MICROS = 1_772_323_200_000_000;

const TARGETS = { catchUp: 20_000, searchP99Ms: 50, ndjson: 50_000, evidence: 10_000, rssGrowthMb: 50 };

// ---------------------------------------------------------------------------------------------------------------
// Deterministic generator of realistic identity events

class Random {
  constructor(private state: number) {}

  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(values: readonly T[]): T {
    return values[this.int(values.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  hex(chars: number): string {
    let out = '';
    while (out.length < chars) out += (this.int(0x100000000) >>> 0).toString(16).padStart(8, '0');
    return out.slice(0, chars);
  }

  /** An index in [0, n) skewed towards 0: a few actors do most of the work. */
  skewed(n: number): number {
    return Math.floor(n * this.next() ** 2);
  }

  /** Picks a key of `weights` with probability proportional to its weight. */
  weighted<K extends string>(table: WeightTable<K>): K {
    const x = this.next() * table.total;
    let i = 0;
    while (table.cumulative[i]! <= x) i++;
    return table.keys[i]!;
  }
}

interface WeightTable<K extends string> {
  keys: K[];
  cumulative: number[];
  total: number;
}

function weightTable<K extends string>(weights: Record<K, number>): WeightTable<K> {
  const keys = Object.keys(weights) as K[];
  let total = 0;
  const cumulative = keys.map((key) => (total += weights[key]));
  return { keys, cumulative, total };
}

const TENANT_SHARES = { acme: 0.35, globex: 0.25, initech: 0.2, umbrella: 0.12, hooli: 0.08 };
const ROLES = ['admin', 'auditor', 'billing-admin', 'developer', 'support', 'read-only'];
const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148',
  'okta-sdk-java/8.2.1 java/21',
];
const COUNTRIES = ['US', 'US', 'US', 'GB', 'DE', 'FR', 'IN', 'JP', 'BR'];
const SERVICE_NAMES = ['billing', 'scim-sync', 'reports', 'search', 'notifier', 'etl', 'gateway', 'crm-bridge'];

/** The vocabulary's actions as an identity provider emits them: logins mostly. */
const ACTION_WEIGHTS = weightTable({
  'user.login': 42,
  'user.logout': 9,
  'session.started': 5,
  'session.ended': 4,
  'user.mfa.verified': 8,
  'user.mfa.enrolled': 0.8,
  'user.mfa.disabled': 0.3,
  'user.password.changed': 1,
  'user.password.reset': 0.5,
  'api_key.used': 10,
  'api_key.created': 0.3,
  'api_key.deleted': 0.2,
  'role.granted': 1.2,
  'role.revoked': 0.7,
  'permission.denied': 2.5,
  'oauth.token.granted': 4,
  'oauth.token.revoked': 0.5,
  'user.created': 0.4,
  'user.updated': 0.6,
  'user.deactivated': 0.15,
  'data.exported': 0.5,
  'data.sensitive.read': 1.5,
  'audit_log.read': 0.3,
  'org.settings.changed': 0.05,
  'security.policy.changed': 0.05,
});

interface TenantModel {
  name: string;
  users: string[];
  admins: string[];
  services: string[];
  apiKeys: string[];
  datasets: string[];
}

/** ~10,000 actors over the tenants in proportion to their traffic: users, a few services and API keys each. */
function tenantModels(random: Random): TenantModel[] {
  return Object.entries(TENANT_SHARES).map(([name, share]) => {
    const users = Array.from({ length: Math.round(9_000 * share) }, () => `00u${random.hex(10)}`);
    return {
      name,
      users,
      admins: users.slice(0, Math.max(5, Math.round(users.length / 200))),
      services: Array.from({ length: Math.round(400 * share) }, (_, i) => `svc-${SERVICE_NAMES[i % SERVICE_NAMES.length]}-${i}`),
      apiKeys: Array.from({ length: Math.round(600 * share) }, () => `ak_${random.hex(12)}`),
      datasets: Array.from({ length: 40 }, (_, i) => `ds_${name}_${i}`),
    };
  });
}

const TENANT_WEIGHTS = weightTable(TENANT_SHARES);

/** One request body, as a client would POST it; the time is the server's. */
function randomBody(random: Random, tenants: readonly TenantModel[]): Record<string, unknown> {
  const tenantName = random.weighted(TENANT_WEIGHTS);
  const t = tenants.find((model) => model.name === tenantName)!;
  const action = random.weighted(ACTION_WEIGHTS);
  const userIndex = random.skewed(t.users.length);
  const userId = t.users[userIndex]!;
  const self = { type: 'user', id: userId };
  const admin = { type: 'user', id: random.pick(t.admins), authMethod: 'sso' };
  const browser = {
    ip: `198.51.${(userIndex >> 8) & 255}.${userIndex & 255}`,
    userAgent: USER_AGENTS[userIndex % USER_AGENTS.length]!,
    requestId: `req_${random.hex(20)}`,
    ...(random.chance(0.7) && { sessionId: `sess_${random.hex(16)}` }),
    ...(random.chance(0.25) && { correlationId: `corr_${random.hex(12)}` }),
  };
  const server = { ip: `10.20.${random.int(4)}.${random.int(250)}`, userAgent: 'trailmark-client/1.4', requestId: `req_${random.hex(20)}` };
  let outcome = 'success';
  let reason: string | undefined;
  let actor: Record<string, unknown> = { type: 'user', id: userId };
  let targets: { type: string; id: string }[] = [self];
  let context: Record<string, unknown> = browser;
  let extra: Record<string, unknown> = {};
  const fail = (failureRate: number, reasons: readonly string[], errorRate = 0, errorReason = 'upstream_timeout') => {
    const x = random.next();
    if (x < failureRate) [outcome, reason] = ['failure', random.pick(reasons)];
    else if (x < failureRate + errorRate) [outcome, reason] = ['error', errorReason];
  };
  switch (action) {
    case 'user.login':
      actor = { type: 'user', id: userId, authMethod: random.pick(['password', 'password', 'sso', 'passkey']) };
      context = { ...browser, geo: { country: random.pick(COUNTRIES) } };
      fail(0.1, ['invalid_password', 'invalid_password', 'account_locked', 'mfa_required', 'unknown_user'], 0.02, 'idp_timeout');
      break;
    case 'user.mfa.verified':
      extra = { metadata: { factor: random.pick(['totp', 'webauthn', 'push', 'sms']) } };
      fail(0.07, ['invalid_otp', 'expired_code', 'push_rejected']);
      break;
    case 'user.mfa.enrolled':
    case 'user.mfa.disabled':
      if (random.chance(0.2)) [actor, reason] = [admin, 'Helpdesk ticket HD-' + (1000 + random.int(9000))];
      extra = { metadata: { factor: random.pick(['totp', 'webauthn', 'sms']) } };
      break;
    case 'user.password.changed':
      fail(0.05, ['password_policy: too short', 'password_policy: reused']);
      break;
    case 'user.password.reset':
      actor = admin;
      reason = 'Forgotten password, identity verified by phone';
      break;
    case 'api_key.used': {
      const key = random.pick(t.apiKeys);
      actor = { type: 'api_key', id: key };
      targets = [{ type: 'api_key', id: key }];
      context = server;
      fail(0.03, ['rate_limited', 'key_revoked', 'scope_missing: events:write']);
      break;
    }
    case 'api_key.created':
    case 'api_key.deleted':
      actor = admin;
      targets = [{ type: 'api_key', id: random.pick(t.apiKeys) }];
      break;
    case 'role.granted':
    case 'role.revoked':
      actor = admin;
      targets = [self, { type: 'role', id: random.pick(ROLES) }];
      reason = `${random.pick(['Access request', 'Quarterly access review', 'Offboarding', 'On-call rotation'])} AR-${10_000 + random.int(90_000)}`;
      fail(0.02, ['approval_missing']);
      break;
    case 'permission.denied':
      targets = [{ type: 'dataset', id: random.pick(t.datasets) }];
      outcome = 'failure';
      reason = `missing permission ${random.pick(['reports:read', 'billing:write', 'users:admin', 'datasets:export'])}`;
      break;
    case 'oauth.token.granted':
    case 'oauth.token.revoked': {
      const service = random.pick(t.services);
      actor = { type: 'service', id: service };
      targets = [{ type: 'service', id: service }];
      context = server;
      if (action === 'oauth.token.granted') extra = { metadata: { scopes: ['events:read', 'users:read'], ttlSeconds: 3600 } };
      fail(0.01, ['invalid_client_secret']);
      break;
    }
    case 'user.created':
    case 'user.updated':
    case 'user.deactivated':
      actor = random.chance(0.6) ? { type: 'service', id: t.services[1 % t.services.length]! } : admin;
      if (action === 'user.updated') extra = { changes: { before: { department: 'Sales' }, after: { department: 'Marketing' } } };
      break;
    case 'data.exported':
    case 'data.sensitive.read':
      targets = [{ type: 'dataset', id: random.pick(t.datasets) }];
      break;
    case 'audit_log.read':
      actor = admin;
      targets = [];
      break;
    case 'org.settings.changed':
    case 'security.policy.changed':
      actor = admin;
      targets = [action === 'org.settings.changed' ? { type: 'org', id: t.name } : { type: 'policy', id: 'password-policy' }];
      extra = { changes: { before: { minLength: 10 }, after: { minLength: 12 } } };
      reason = 'Security baseline 2026';
      break;
    default: // user.logout, session.started, session.ended
      break;
  }
  return { tenant: t.name, action, outcome, ...(reason !== undefined && { reason }), actor, targets, context, ...extra };
}

// ---------------------------------------------------------------------------------------------------------------
// Setup: the store and the tree

interface Setup {
  events: number;
  seconds: number;
  prepareSeconds: number;
  storeSeconds: number;
  treeSeconds: number;
}

async function fill(store: EventStore, tree: MerkleTree, events: number): Promise<Setup> {
  const random = new Random(20261122);
  const tenants = tenantModels(random);
  let micros = EPOCH_MICROS;
  let prepareSeconds = 0;
  let storeSeconds = 0;
  let treeSeconds = 0;
  const started = performance.now();
  let reported = 0;
  for (let done = 0; done < events; done += APPEND_CALL) {
    const count = Math.min(APPEND_CALL, events - done);
    const t0 = performance.now();
    const requests: AppendRequest[] = [];
    const leaves: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      micros += Math.round(-Math.log(1 - random.next()) * MEAN_GAP_MICROS);
      // Two replicas' clocks: now and then an event is stamped slightly before the one appended before it.
      const stamped = random.chance(0.03) ? micros - random.int(2_000_000) : micros;
      const prepared = prepareEvent(parseIdentityEventInput(randomBody(random, tenants)), formatServerTime(BigInt(stamped)), newEventId());
      requests.push({
        stream: prepared.stream,
        expectedRevision: 'any',
        events: [{ id: prepared.id, type: IDENTITY_EVENT_TYPE, data: prepared.leaf, metadata: encodeEventMetadata(prepared) }],
      });
      leaves.push(prepared.leaf);
    }
    const t1 = performance.now();
    await store.appendAtomically(requests);
    const t2 = performance.now();
    tree.append(leaves);
    const t3 = performance.now();
    prepareSeconds += (t1 - t0) / 1000;
    storeSeconds += (t2 - t1) / 1000;
    treeSeconds += (t3 - t2) / 1000;
    if (done + count - reported >= events / 10) {
      reported = done + count;
      progress(`setup: ${fmt(reported)} events stored (${fmt(reported / ((performance.now() - started) / 1000))}/s)`);
    }
  }
  return { events, seconds: (performance.now() - started) / 1000, prepareSeconds, storeSeconds, treeSeconds };
}

// ---------------------------------------------------------------------------------------------------------------
// Measurements

interface CatchUp {
  events: number;
  seconds: number;
}

async function catchUp(store: EventStore, readModel: ReadModelStore, label: string): Promise<CatchUp> {
  const total = await countIdentityLeaves(readModel);
  let reported = 0n;
  const started = performance.now();
  const projector = new Projector(store, readModel, {
    onProgress: (leaves) => {
      if (leaves - reported >= 100_000n) {
        reported = leaves;
        progress(`${label}: ${fmt(Number(leaves))} projected (${fmt(Number(leaves) / ((performance.now() - started) / 1000))}/s)`);
      }
    },
  });
  await projector.start();
  const seconds = (performance.now() - started) / 1000;
  await projector.stop();
  return { events: Number(projector.status().leafCount) - total, seconds };
}

async function countIdentityLeaves(readModel: ReadModelStore): Promise<number> {
  return Number((await readModel.position()).leafCount);
}

interface Latency {
  p50: number;
  p99: number;
  max: number;
  meanRows: number;
  queries: number;
}

async function latency(queries: number, query: () => Promise<number>): Promise<Latency> {
  for (let i = 0; i < WARMUP; i++) await query();
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < queries; i++) {
    const start = performance.now();
    rows += await query();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return {
    p50: times[Math.floor(queries * 0.5)]!,
    p99: times[Math.floor(queries * 0.99)]!,
    max: times[queries - 1]!,
    meanRows: rows / queries,
    queries,
  };
}

interface Export {
  rows: number;
  bytes: number;
  seconds: number;
}

async function exportToCounter(lines: AsyncIterable<string>): Promise<Export> {
  const started = performance.now();
  let bytes = 0;
  for await (const line of lines) bytes += Buffer.byteLength(line);
  // rows: set by the caller to the events exported (every format adds a header and/or a trailer line).
  return { rows: 0, bytes, seconds: (performance.now() - started) / 1000 };
}

async function exportToFile(lines: AsyncIterable<string>, path: string): Promise<Export> {
  const started = performance.now();
  await pipeline(Readable.from(lines), createWriteStream(path));
  return { rows: 0, bytes: statSync(path).size, seconds: (performance.now() - started) / 1000 };
}

interface Memory {
  rows: number;
  seconds: number;
  samples: number;
  start: { rss: number; heapUsed: number };
  max: { rss: number; heapUsed: number };
  end: { rss: number; heapUsed: number };
}

/** In a child of its own (`--rss-child`): every tenant's rows as NDJSON into a counting sink, memory sampled. */
async function rssChild(readModelPath: string, size: bigint, note: string): Promise<Memory> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  const readModel = SqliteReadModel.open(readModelPath);
  const checkpoint: ExportCheckpoint = { note, size, proveInclusion: () => [] };
  gc();
  gc();
  const mb = (bytes: number) => bytes / 1024 / 1024;
  const first = process.memoryUsage();
  const start = { rss: mb(first.rss), heapUsed: mb(first.heapUsed) };
  const max = { ...start };
  let samples = 0;
  const sample = () => {
    const { rss, heapUsed } = process.memoryUsage();
    max.rss = Math.max(max.rss, mb(rss));
    max.heapUsed = Math.max(max.heapUsed, mb(heapUsed));
    samples++;
  };
  // A timer fires only when the loop yields (it runs in microtasks), so the loop samples too, by the clock.
  const timer = setInterval(sample, 100);
  const started = performance.now();
  let last = started;
  let rows = 0;
  let bytes = 0;
  for await (const chunk of exportChunks('ndjson', readModel.scan({ tenants: '*' }, { upTo: size }), checkpoint, PRODUCT)) {
    bytes += Buffer.byteLength(chunk);
    for (let at = chunk.indexOf('\n'); at !== -1; at = chunk.indexOf('\n', at + 1)) rows++;
    const now = performance.now();
    if (now - last >= 100) {
      sample();
      last = now;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(timer);
  sample();
  const after = process.memoryUsage();
  await readModel.close();
  if (bytes === 0) throw new Error('nothing exported');
  return { rows: rows - 1, seconds, samples, start, max, end: { rss: mb(after.rss), heapUsed: mb(after.heapUsed) } };
}

// ---------------------------------------------------------------------------------------------------------------
// The run

const fmt = (n: number, digits = 0): string => (Number.isFinite(n) ? n.toLocaleString('en', { maximumFractionDigits: digits }) : '—');
const ms = (n: number): string => `${fmt(n, n < 1 ? 3 : n < 10 ? 2 : 1)} ms`;
const progress = (message: string): void => void process.stderr.write(`bench/query: ${message}\n`);
const met = (ok: boolean): string => (ok ? 'met' : '**not met**');

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const eventsArg = args.indexOf('--events');
  const events = eventsArg >= 0 ? Number(args[eventsArg + 1]) : quick ? 100_000 : 1_000_000;
  if (!Number.isSafeInteger(events) || events < 1_000) throw new RangeError('--events must be an integer of at least 1,000');
  const queries = quick ? 200 : 500;
  const keep = args.includes('--keep');
  const pgUrl = process.env['TRAILMARK_READ_DB_URL'] || process.env['TRAILMARK_TEST_PG_URL'] || undefined;

  const dir = mkdtempSync(join(tmpdir(), 'trailmark-bench-query-'));
  const runStarted = performance.now();
  const db = new Database(join(dir, 'ledger.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const store = new SqliteEventStore(db);
  const tree = MerkleTree.open(new SqliteTileStore(db));
  const readModelPath = join(dir, 'projections.db');
  let readModel: SqliteReadModel | undefined;
  let lookup: Database.Database | undefined;
  try {
    // 1. Setup
    progress(`setup: ${fmt(events)} events in ${dir}`);
    const setup = await fill(store, tree, events);
    const size = tree.size;

    // 2. Catch-up, SQLite then PostgreSQL
    readModel = SqliteReadModel.open(readModelPath);
    const sqliteCatchUp = await catchUp(store, readModel, 'catch-up (SQLite)');
    let pgCatchUp: CatchUp | undefined;
    if (pgUrl !== undefined) {
      const pg = await PostgresReadModel.open(pgUrl, { schema: 'trailmark_bench_query' });
      try {
        await pg.reset();
        pgCatchUp = await catchUp(store, pg, 'catch-up (PostgreSQL)');
        await pg.reset();
      } finally {
        await pg.close();
      }
    }

    // The read model's leaves are the tree's (spot check, untimed).
    lookup = new Database(readModelPath, { readonly: true });
    lookup.defaultSafeIntegers(true);
    const byLeaf = lookup.prepare('SELECT leaf_index, leaf, detail FROM projected_events WHERE leaf_index = ?');
    const rowAt = lookup.prepare('SELECT tenant, actor_id, time FROM projected_events WHERE leaf_index = ?');
    const random = new Random(7);
    const randomLeaf = () => BigInt(random.int(events));
    for (let i = 0; i < 200; i++) {
      const index = randomLeaf();
      const row = byLeaf.get(index) as { leaf: Uint8Array };
      if (!equalHashes(hashLeaf(new Uint8Array(row.leaf)), tree.leafHash(index))) throw new Error(`leaf ${index}: the read model and the tree differ`);
    }
    const leafCount = Number((await readModel.position()).leafCount);
    if (BigInt(leafCount) !== size) throw new Error(`the read model holds ${leafCount} leaves, the tree ${size}`);
    const tenantRows = lookup.prepare('SELECT tenant, count(*) AS n FROM projected_events GROUP BY tenant ORDER BY n DESC').all() as {
      tenant: string;
      n: bigint;
    }[];

    // 3. Search
    const model = readModel;
    // A cursor: none (the first page) one query in ten, else a leaf index drawn uniformly from the whole log.
    const cursor = (): { after?: bigint } => (random.chance(0.1) ? {} : { after: randomLeaf() });
    const search = async (filter: EventFilter) => {
      const options: SearchOptions = { limit: PAGE_LIMIT, upTo: size, ...cursor() };
      return (await model.search(filter, options)).length;
    };
    /** Tenant, actor and time of a random event: the parameters follow the traffic. */
    const sampleEvent = (from = 0, to = events) => rowAt.get(BigInt(from + random.int(to - from))) as { tenant: string; actor_id: string; time: string };
    progress(`search: ${queries} queries a filter`);
    const pk = await latency(queries * 4, async () => {
      const row = byLeaf.get(randomLeaf()) as { leaf: Uint8Array; detail: string | null };
      JSON.parse(Buffer.from(row.leaf).toString('utf8'));
      if (row.detail !== null) JSON.parse(row.detail);
      return 1;
    });
    const tenantOnly = await latency(queries, () => search({ tenants: [sampleEvent().tenant] }));
    const byActor = await latency(queries, () => {
      const { tenant, actor_id } = sampleEvent();
      return search({ tenants: [tenant], actor: actor_id });
    });
    const byAction = await latency(queries, () => search({ tenants: [sampleEvent().tenant], action: 'user.mfa.*' }));
    const byTime = await latency(queries, () => {
      // A one-minute window somewhere in the middle half of the log, in the tenant of the event that picked it.
      const { tenant, time } = sampleEvent(Math.floor(events / 4), Math.floor((events * 3) / 4));
      const minute = time.slice(0, 16);
      return search({ tenants: [tenant], from: `${minute}:00.000000Z`, to: `${minute}:59.999999Z` });
    });

    // 4. Export: the largest tenant
    const signer = parseSignerKey(generateNoteKey(ORIGIN).signerKey);
    const note = signCheckpoint({ origin: ORIGIN, size, root: tree.root(size), extensions: [] }, signer);
    const checkpoint: ExportCheckpoint = { note, size, proveInclusion: (leafIndex) => tree.proveInclusion(leafIndex, size) };
    const tenant = tenantRows[0]!.tenant;
    const tenantCount = Number(tenantRows[0]!.n);
    const lines = (format: 'ndjson' | 'evidence') => exportChunks(format, model.scan({ tenants: [tenant] }, { upTo: size }), checkpoint, PRODUCT);
    progress(`export: ${tenant}, ${fmt(tenantCount)} rows`);
    const ndjsonCount = await exportToCounter(lines('ndjson'));
    const ndjsonFile = await exportToFile(lines('ndjson'), join(dir, 'export.ndjson'));
    rmSync(join(dir, 'export.ndjson'));
    const evidenceCount = await exportToCounter(lines('evidence'));
    const evidencePath = join(dir, 'export.evidence');
    const evidenceFile = await exportToFile(lines('evidence'), evidencePath);
    for (const e of [ndjsonCount, ndjsonFile, evidenceCount, evidenceFile]) e.rows = tenantCount;
    progress('export: verifying the evidence bundle (untimed)');
    const verified = await verifyEvidenceBundle(createReadStream(evidencePath), verifierKeyFor(signer));
    if (verified.events !== tenantCount) throw new Error(`the evidence bundle holds ${verified.events} events, not ${tenantCount}`);
    rmSync(evidencePath);

    // 5. Memory: every tenant's rows, in a fresh process
    progress(`memory: NDJSON export of all ${fmt(events)} rows in a child process`);
    const child = execFileSync(process.execPath, ['--expose-gc', SELF, '--rss-child', readModelPath, size.toString(), note], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    const memory = JSON.parse(child) as Memory;
    const totalSeconds = (performance.now() - runStarted) / 1000;

    // Report
    const rate = (e: { rows: number; seconds: number } | CatchUp) => ('rows' in e ? e.rows : e.events) / e.seconds;
    const growth = memory.max.rss - memory.start.rss;
    const cores = cpus().length;
    const sqliteVersion = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
    console.log(
      `\nbench/query: ${fmt(events)} identity events, ${tenantRows.length} tenants (${tenantRows.map((r) => `${r.tenant} ${fmt(Number(r.n))}`).join(', ')}); ` +
        `${cores} cores, shared machine; Node ${process.version}, SQLite ${sqliteVersion}; whole run ${fmt(totalSeconds)} s\n`,
    );
    console.log(
      `setup (not a target): ${fmt(setup.events)} events generated, validated, prepared and appended in ${fmt(setup.seconds, 1)} s ` +
        `(${fmt(setup.events / setup.seconds)} events/s: prepare ${fmt(setup.prepareSeconds, 1)} s, appendAtomically ${fmt(setup.storeSeconds, 1)} s, ` +
        `tree ${fmt(setup.treeSeconds, 1)} s)\n`,
    );
    console.log('| figure | measured | target | |');
    console.log('|---|---:|---:|---|');
    console.log(`| projection catch-up, SQLite (events/s) | ${fmt(rate(sqliteCatchUp))} | ≥ ${fmt(TARGETS.catchUp)} | ${met(rate(sqliteCatchUp) >= TARGETS.catchUp)} |`);
    if (pgCatchUp) console.log(`| projection catch-up, PostgreSQL (events/s) | ${fmt(rate(pgCatchUp))} | ≥ ${fmt(TARGETS.catchUp)} | ${met(rate(pgCatchUp) >= TARGETS.catchUp)} |`);
    else console.log(`| projection catch-up, PostgreSQL | skipped: TRAILMARK_READ_DB_URL / TRAILMARK_TEST_PG_URL not set | ≥ ${fmt(TARGETS.catchUp)} | — |`);
    for (const [name, l] of [
      ['search `actor=<id>` p50 / p99', byActor],
      ['search `action=user.mfa.*` p50 / p99', byAction],
      ['search 1-minute time range p50 / p99', byTime],
    ] as const) {
      console.log(`| ${name} | ${ms(l.p50)} / ${ms(l.p99)} | p99 < ${TARGETS.searchP99Ms} ms | ${met(l.p99 < TARGETS.searchP99Ms)} |`);
    }
    const exportRow = (name: string, e: Export, target: number) =>
      console.log(`| ${name} | ${fmt(rate(e))} | ≥ ${fmt(target)} | ${met(rate(e) >= target)} |`);
    exportRow(`export NDJSON, ${tenant} (${fmt(tenantCount)} rows), counting sink (rows/s)`, ndjsonCount, TARGETS.ndjson);
    exportRow('export NDJSON, same, to a temp file (rows/s)', ndjsonFile, TARGETS.ndjson);
    exportRow(`export evidence, ${tenant}, counting sink (events/s)`, evidenceCount, TARGETS.evidence);
    exportRow('export evidence, same, to a temp file (events/s)', evidenceFile, TARGETS.evidence);
    console.log(
      `| RSS growth, NDJSON export of all ${fmt(memory.rows)} rows | ${fmt(growth, 1)} MB | < ${TARGETS.rssGrowthMb} MB | ${met(growth < TARGETS.rssGrowthMb)} |`,
    );

    console.log(`\nsearch: readModel.search called directly (no HTTP), tenants: [one tenant], limit ${PAGE_LIMIT}, upTo the tree size; ` +
      `cursor: none one query in ten, else a leaf index drawn uniformly from the log; parameters drawn from random events\n`);
    console.log('| query | queries | rows/page (mean) | p50 | p99 | max | p50 / p99 vs tenant-only search |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    const searchRow = (name: string, l: Latency, ratio = true) =>
      console.log(
        `| ${name} | ${l.queries} | ${fmt(l.meanRows, 1)} | ${ms(l.p50)} | ${ms(l.p99)} | ${ms(l.max)} | ` +
          `${ratio ? `${fmt(l.p50 / tenantOnly.p50, 2)}× / ${fmt(l.p99 / tenantOnly.p99, 2)}×` : '—'} |`,
      );
    searchRow('baseline: primary-key lookup of one row by leaf index (SQL + JSON.parse)', pk, false);
    searchRow('baseline: search, tenant only', tenantOnly);
    searchRow('actor (`actor=<id>`)', byActor);
    searchRow('action prefix (`user.mfa.*`)', byAction);
    searchRow('time range (1 minute, middle of the log)', byTime);

    const mbs = (e: Export) => fmt(e.bytes / 1024 / 1024 / e.seconds, 1);
    console.log(`\nexport of ${tenant}: ${fmt(tenantCount)} rows via exportChunks over readModel.scan (pages of 1,000)\n`);
    console.log('| format | sink | rows/s | MB/s | bytes | seconds |');
    console.log('|---|---|---:|---:|---:|---:|');
    for (const [format, sink, e] of [
      ['NDJSON', 'counting', ndjsonCount],
      ['NDJSON', 'temp file (Readable.from → createWriteStream)', ndjsonFile],
      ['evidence', 'counting', evidenceCount],
      ['evidence', 'temp file', evidenceFile],
    ] as const) {
      console.log(`| ${format} | ${sink} | ${fmt(rate(e))} | ${mbs(e)} | ${fmt(e.bytes)} | ${fmt(e.seconds, 1)} |`);
    }
    console.log(`\nevidence bundle verified by verifyEvidenceBundle (untimed): ${fmt(verified.events)} events against the checkpoint of size ${size}.`);
    console.log(
      `memory (child process, --expose-gc, gc() first; ${memory.samples} samples, every 100 ms): NDJSON of all tenants, ${fmt(memory.rows)} rows ` +
        `at ${fmt(memory.rows / memory.seconds)} rows/s; RSS start ${fmt(memory.start.rss, 1)} MB, max ${fmt(memory.max.rss, 1)} MB, growth ${fmt(growth, 1)} MB; ` +
        `heapUsed start ${fmt(memory.start.heapUsed, 1)} MB, max ${fmt(memory.max.heapUsed, 1)} MB.`,
    );
    console.log(`peak RSS of this process: ${fmt(process.resourceUsage().maxRSS / 1024)} MB.`);
  } finally {
    lookup?.close();
    await readModel?.close();
    await store.close();
    db.close();
    if (keep) progress(`data kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

const args = process.argv.slice(2);
if (args[0] === '--rss-child') {
  process.stdout.write(JSON.stringify(await rssChild(args[1]!, BigInt(args[2]!), args[3]!)));
} else {
  await main();
}
