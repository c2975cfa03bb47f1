import type Database from 'better-sqlite3';
import type { Position } from '@trailmark/event-store';
import type { EventKey } from '@trailmark/domain';
import type { IntegratedLeaf, LedgerIndex } from './ledger-index.js';

// event_id is not UNIQUE: EventStoreDB checks ids per stream only, so two service instances racing with one
// id in two streams store it twice. Both are leaves (the tree follows the store); the first is the event's.
// event_id is the store's id of the event; tenant and envelope_id are what its envelope names (the key of
// idempotency and of reads by id). Both are NULL in rows an older version wrote, until the sequencer reads
// their leaves again (leavesWithoutKey / addKeys); '' marks a leaf that names none.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS ledger_leaves (
  leaf_index       INTEGER PRIMARY KEY,
  event_id         TEXT    NOT NULL,
  position_commit  INTEGER NOT NULL,
  position_prepare INTEGER NOT NULL,
  tenant           TEXT,
  envelope_id      TEXT
);
CREATE INDEX IF NOT EXISTS ledger_leaves_by_event_id ON ledger_leaves (event_id, leaf_index);
CREATE TABLE IF NOT EXISTS ledger_state (
  id               INTEGER PRIMARY KEY CHECK (id = 1),
  position_commit  INTEGER NOT NULL,
  position_prepare INTEGER NOT NULL
);
`;

const KEY_INDEXES = `
CREATE INDEX IF NOT EXISTS ledger_leaves_by_key ON ledger_leaves (envelope_id, tenant, leaf_index);
CREATE INDEX IF NOT EXISTS ledger_leaves_without_key ON ledger_leaves (leaf_index) WHERE tenant IS NULL;
`;

interface LeafRow {
  leaf_index: bigint;
  event_id: string;
  position_commit: bigint;
  position_prepare: bigint;
  tenant: string | null;
  envelope_id: string | null;
}

/** A ledger.db from before ids were per tenant has ledger_leaves without the key columns: add them, empty. */
function addKeyColumns(db: Database.Database): void {
  const columns = new Set((db.pragma('table_info(ledger_leaves)') as { name: string }[]).map((column) => column.name));
  if (!columns.has('tenant')) db.exec('ALTER TABLE ledger_leaves ADD COLUMN tenant TEXT');
  if (!columns.has('envelope_id')) db.exec('ALTER TABLE ledger_leaves ADD COLUMN envelope_id TEXT');
}

/**
 * The ledger index in the service's SQLite file, beside the tiles: one transaction moves the tree,
 * the leaves and the integrated position together, so after a crash they agree.
 */
export class SqliteLedgerIndex implements LedgerIndex {
  private readonly selectState: Database.Statement<[], { position_commit: bigint; position_prepare: bigint }>;
  private readonly selectCount: Database.Statement<[], { count: bigint }>;
  private readonly selectById: Database.Statement<[string], LeafRow>;
  private readonly selectByKey: Database.Statement<[string, string], LeafRow>;
  private readonly selectByEnvelopeId: Database.Statement<[string], LeafRow>;
  private readonly selectWithoutKey: Database.Statement<[number], LeafRow>;
  private readonly updateKey: Database.Statement<[string, string, bigint]>;
  private readonly selectByIndex: Database.Statement<[bigint], LeafRow>;
  private readonly insertLeaf: Database.Statement<[bigint, string, bigint, bigint, string, string]>;
  private readonly upsertState: Database.Statement<[bigint, bigint]>;
  private readonly integrateAll: (leaves: readonly IntegratedLeaf[], position: Position, appendToTree: () => void) => void;

  constructor(private readonly db: Database.Database) {
    db.exec(SCHEMA);
    addKeyColumns(db);
    db.exec(KEY_INDEXES);
    this.selectState = db.prepare('SELECT position_commit, position_prepare FROM ledger_state WHERE id = 1').safeIntegers(true) as never;
    this.selectCount = db.prepare('SELECT coalesce(max(leaf_index) + 1, 0) AS count FROM ledger_leaves').safeIntegers(true) as never;
    this.selectById = db.prepare('SELECT * FROM ledger_leaves WHERE event_id = ? ORDER BY leaf_index LIMIT 1').safeIntegers(true) as never;
    this.selectByIndex = db.prepare('SELECT * FROM ledger_leaves WHERE leaf_index = ?').safeIntegers(true) as never;
    this.selectByKey = db
      .prepare('SELECT * FROM ledger_leaves WHERE envelope_id = ? AND tenant = ? ORDER BY leaf_index LIMIT 1')
      .safeIntegers(true) as never;
    this.selectByEnvelopeId = db.prepare('SELECT * FROM ledger_leaves WHERE envelope_id = ? ORDER BY leaf_index').safeIntegers(true) as never;
    this.selectWithoutKey = db
      .prepare('SELECT * FROM ledger_leaves WHERE tenant IS NULL ORDER BY leaf_index LIMIT ?')
      .safeIntegers(true) as never;
    this.updateKey = db.prepare('UPDATE ledger_leaves SET tenant = ?, envelope_id = ? WHERE leaf_index = ?');
    this.insertLeaf = db.prepare(
      'INSERT INTO ledger_leaves (leaf_index, event_id, position_commit, position_prepare, tenant, envelope_id) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.upsertState = db.prepare(
      `INSERT INTO ledger_state (id, position_commit, position_prepare) VALUES (1, ?, ?)
       ON CONFLICT (id) DO UPDATE SET position_commit = excluded.position_commit, position_prepare = excluded.position_prepare`,
    );
    this.integrateAll = db.transaction((leaves: readonly IntegratedLeaf[], position: Position, appendToTree: () => void) => {
      for (const leaf of leaves) {
        this.insertLeaf.run(leaf.leafIndex, leaf.eventId, leaf.position.commit, leaf.position.prepare, leaf.key?.tenant ?? '', leaf.key?.id ?? '');
      }
      this.upsertState.run(position.commit, position.prepare);
      appendToTree();
    });
  }

  integratedPosition(): Position | 'start' {
    const row = this.selectState.get();
    return row ? { commit: row.position_commit, prepare: row.position_prepare } : 'start';
  }

  leafCount(): bigint {
    return this.selectCount.get()!.count;
  }

  leafOf(eventId: string): IntegratedLeaf | undefined {
    return toLeaf(this.selectById.get(eventId));
  }

  leafOfEvent(tenant: string, id: string): IntegratedLeaf | undefined {
    return toLeaf(this.selectByKey.get(id, tenant));
  }

  leavesWithId(id: string): IntegratedLeaf[] {
    return this.selectByEnvelopeId.all(id).map((row) => toLeaf(row)!);
  }

  leavesWithoutKey(limit: number): IntegratedLeaf[] {
    return this.selectWithoutKey.all(limit).map((row) => toLeaf(row)!);
  }

  addKeys(keys: readonly { readonly leafIndex: bigint; readonly key: EventKey | undefined }[]): void {
    this.db.transaction(() => {
      for (const { leafIndex, key } of keys) this.updateKey.run(key?.tenant ?? '', key?.id ?? '', leafIndex);
    })();
  }

  leafAt(leafIndex: bigint): IntegratedLeaf | undefined {
    return toLeaf(this.selectByIndex.get(leafIndex));
  }

  /**
   * Commits without waiting for the disk (synchronous = NORMAL for this one transaction): what it
   * writes is derived from events that were durable before they were acknowledged. WAL keeps commits
   * in order, so a power loss can only lose a tail of integrations, which the sequencer redoes from
   * the store on start; the next fully synchronous commit (an append, a checkpoint) makes it durable.
   */
  integrate(leaves: readonly IntegratedLeaf[], position: Position, appendToTree: () => void): void {
    const synchronous = this.db.pragma('synchronous', { simple: true }) as number;
    this.db.pragma('synchronous = NORMAL');
    try {
      this.integrateAll(leaves, position, appendToTree);
    } finally {
      this.db.pragma(`synchronous = ${synchronous}`);
    }
  }
}

function toLeaf(row: LeafRow | undefined): IntegratedLeaf | undefined {
  if (!row) return undefined;
  const leaf = { leafIndex: row.leaf_index, eventId: row.event_id, position: { commit: row.position_commit, prepare: row.position_prepare } };
  return row.tenant && row.envelope_id ? { ...leaf, key: { tenant: row.tenant, id: row.envelope_id } } : leaf;
}
