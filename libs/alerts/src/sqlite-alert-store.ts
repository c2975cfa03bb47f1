import Database from 'better-sqlite3';
import type { Position } from '@trailmark/event-store';
import type { AlertDecision, AlertRecord, AlertStatus, EvidenceRef } from './alert-record.js';
import type { RuleOverrides } from './rule-settings.js';

/** The file the alert engine keeps in the data directory. */
export const ALERTS_DB_FILE = 'alerts.db';

/** A tenant's rule overrides and the event that set them. */
export interface TenantRules {
  readonly tenant: string;
  readonly overrides: RuleOverrides;
  readonly changed?: AlertDecision;
}

export interface AlertFilter {
  readonly tenants: '*' | readonly string[];
  readonly rule?: string;
  readonly severity?: string;
  readonly status?: AlertStatus;
  /** Server times, spelled as envelopes spell them, bounding raisedAt (from inclusive, to exclusive). */
  readonly from?: string;
  readonly to?: string;
  /** The cursor: the `seq` of the last alert of the previous page. */
  readonly after?: number;
  readonly limit: number;
}

/** What one batch of the log changed, written with the engine's position in one transaction. */
export interface AlertChanges {
  readonly raised: AlertRecord[];
  readonly evidence: Map<string, { evidenceCount: number; lastAt: string; lastLeaf: number }>;
  readonly decisions: { id: string; status: 'acknowledged' | 'closed'; decision: AlertDecision }[];
  readonly recorded: Map<string, number>;
  readonly rules: TenantRules[];
}

export function noChanges(): AlertChanges {
  return { raised: [], evidence: new Map(), decisions: [], recorded: new Map(), rules: [] };
}

/** Where the engine stands: the position after the last event it judged, and its state then (JSON text). */
export interface EngineCheckpoint {
  readonly position: Position | 'start';
  readonly leafCount: number;
  readonly state?: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS engine (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  position_commit TEXT, position_prepare TEXT, leaf_count INTEGER NOT NULL, state TEXT
);
CREATE TABLE IF NOT EXISTS alerts (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  tenant TEXT NOT NULL, rule TEXT NOT NULL, key TEXT NOT NULL, severity TEXT NOT NULL, summary TEXT NOT NULL,
  status TEXT NOT NULL, raised_at TEXT NOT NULL, trigger_leaf INTEGER NOT NULL,
  last_at TEXT NOT NULL, last_leaf INTEGER NOT NULL, evidence_count INTEGER NOT NULL, evidence TEXT NOT NULL,
  recorded INTEGER NOT NULL DEFAULT 0, raised_leaf INTEGER, acknowledged TEXT, closed TEXT
);
CREATE INDEX IF NOT EXISTS alerts_by_tenant ON alerts (tenant, seq);
CREATE INDEX IF NOT EXISTS alerts_unrecorded ON alerts (recorded, seq);
CREATE TABLE IF NOT EXISTS tenant_rules (tenant TEXT PRIMARY KEY, overrides TEXT NOT NULL, changed TEXT);
`;

interface AlertRow {
  seq: number;
  id: string;
  tenant: string;
  rule: string;
  key: string;
  severity: string;
  summary: string;
  status: string;
  raised_at: string;
  trigger_leaf: number;
  last_at: string;
  last_leaf: number;
  evidence_count: number;
  evidence: string;
  raised_leaf: number | null;
  acknowledged: string | null;
  closed: string | null;
}

/**
 * The alert engine's own SQLite file: its position and state, the alerts, the tenants' rule settings. All of it
 * is derived from the log (the engine writes it from what it reads, in one transaction per batch), so it can be
 * deleted and rebuilt. `recorded` marks the alerts whose `alert.raised` event the ledger has acknowledged: the
 * others are recorded (again, idempotently by id) after a restart.
 */
export class SqliteAlertStore {
  private readonly commit: Database.Transaction<(changes: AlertChanges, at: EngineCheckpoint) => void>;
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(private readonly db: Database.Database) {
    db.exec(SCHEMA);
    this.commit = db.transaction((changes: AlertChanges, at: EngineCheckpoint) => this.write(changes, at));
  }

  static open(path: string): SqliteAlertStore {
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // The engine's thread and the service's own connection both write (batches; recorded marks).
    db.pragma('busy_timeout = 5000');
    return new SqliteAlertStore(db);
  }

  checkpoint(): EngineCheckpoint {
    const row = this.prepare('SELECT position_commit, position_prepare, leaf_count, state FROM engine WHERE id = 1').get() as
      | { position_commit: string | null; position_prepare: string | null; leaf_count: number; state: string | null }
      | undefined;
    if (!row || row.position_commit === null || row.position_prepare === null) return { position: 'start', leafCount: 0 };
    return {
      position: { commit: BigInt(row.position_commit), prepare: BigInt(row.position_prepare) },
      leafCount: row.leaf_count,
      ...(row.state !== null && { state: row.state }),
    };
  }

  /** Writes a batch's changes; with `at.state`, the engine's position and state too (else only the alerts). */
  apply(changes: AlertChanges, at: EngineCheckpoint): void {
    this.commit(changes, at);
  }

  /** Drops everything: the next engine start judges the whole log again. */
  reset(): void {
    this.db.exec('DELETE FROM engine; DELETE FROM alerts; DELETE FROM tenant_rules;');
  }

  get(id: string): (AlertRecord & { seq: number }) | undefined {
    const row = this.prepare('SELECT * FROM alerts WHERE id = ?').get(id) as AlertRow | undefined;
    return row && recordOf(row);
  }

  list(filter: AlertFilter): (AlertRecord & { seq: number })[] {
    const where: string[] = ['seq > ?'];
    const values: unknown[] = [filter.after ?? 0];
    if (filter.tenants !== '*') {
      where.push(`tenant IN (${filter.tenants.map(() => '?').join(', ') || 'NULL'})`);
      values.push(...filter.tenants);
    }
    for (const [column, value] of [['rule', filter.rule], ['severity', filter.severity], ['status', filter.status]] as const) {
      if (value !== undefined) {
        where.push(`${column} = ?`);
        values.push(value);
      }
    }
    if (filter.from !== undefined) {
      where.push('raised_at >= ?');
      values.push(filter.from);
    }
    if (filter.to !== undefined) {
      where.push('raised_at < ?');
      values.push(filter.to);
    }
    const rows = this.prepare(`SELECT * FROM alerts WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`).all(...values, filter.limit) as AlertRow[];
    return rows.map(recordOf);
  }

  /** Alerts whose alert.raised event is not acknowledged by the ledger yet, oldest first. */
  unrecorded(limit: number): AlertRecord[] {
    return (this.prepare('SELECT * FROM alerts WHERE recorded = 0 ORDER BY seq LIMIT ?').all(limit) as AlertRow[]).map(recordOf);
  }

  markRecorded(id: string): void {
    this.prepare('UPDATE alerts SET recorded = 1 WHERE id = ?').run(id);
  }

  rules(tenant: string): TenantRules | undefined {
    const row = this.prepare('SELECT overrides, changed FROM tenant_rules WHERE tenant = ?').get(tenant) as
      | { overrides: string; changed: string | null }
      | undefined;
    return row && { tenant, overrides: JSON.parse(row.overrides) as RuleOverrides, ...(row.changed !== null && { changed: JSON.parse(row.changed) as AlertDecision }) };
  }

  close(): void {
    this.db.close();
  }

  /** Prepared once: the engine writes every batch with the same few statements. */
  private prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private write(changes: AlertChanges, at: EngineCheckpoint): void {
    // OR IGNORE: judging the same events again after a restart raises the same alerts, with the same ids.
    const insert = this.prepare(
      `INSERT OR IGNORE INTO alerts (id, tenant, rule, key, severity, summary, status, raised_at, trigger_leaf, last_at, last_leaf, evidence_count, evidence)
       VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?)`,
    );
    for (const a of changes.raised) {
      insert.run(a.id, a.tenant, a.rule, a.key, a.severity, a.summary, a.raisedAt, a.triggerLeaf, a.lastAt, a.lastLeaf, a.evidenceCount, JSON.stringify(a.evidence));
    }
    const evidence = this.prepare('UPDATE alerts SET evidence_count = ?, last_at = ?, last_leaf = ? WHERE id = ?');
    for (const [id, e] of changes.evidence) evidence.run(e.evidenceCount, e.lastAt, e.lastLeaf, id);
    const acknowledge = this.prepare("UPDATE alerts SET status = 'acknowledged', acknowledged = ? WHERE id = ? AND status = 'open'");
    const close = this.prepare("UPDATE alerts SET status = 'closed', closed = ? WHERE id = ?");
    for (const { id, status, decision } of changes.decisions) (status === 'closed' ? close : acknowledge).run(JSON.stringify(decision), id);
    const recorded = this.prepare('UPDATE alerts SET recorded = 1, raised_leaf = ? WHERE id = ?');
    for (const [id, leaf] of changes.recorded) recorded.run(leaf, id);
    const rules = this.prepare('INSERT OR REPLACE INTO tenant_rules (tenant, overrides, changed) VALUES (?, ?, ?)');
    for (const r of changes.rules) rules.run(r.tenant, JSON.stringify(r.overrides), r.changed === undefined ? null : JSON.stringify(r.changed));
    if (at.state === undefined) return;
    const position = at.position === 'start' ? [null, null] : [String(at.position.commit), String(at.position.prepare)];
    this.db
      .prepare('INSERT OR REPLACE INTO engine (id, position_commit, position_prepare, leaf_count, state) VALUES (1, ?, ?, ?, ?)')
      .run(...position, at.leafCount, at.state);
  }
}

function recordOf(row: AlertRow): AlertRecord & { seq: number } {
  return {
    seq: row.seq,
    id: row.id,
    tenant: row.tenant,
    rule: row.rule,
    key: row.key,
    severity: row.severity as AlertRecord['severity'],
    summary: row.summary,
    status: row.status as AlertStatus,
    raisedAt: row.raised_at,
    triggerLeaf: row.trigger_leaf,
    lastAt: row.last_at,
    lastLeaf: row.last_leaf,
    evidenceCount: row.evidence_count,
    evidence: JSON.parse(row.evidence) as EvidenceRef[],
    ...(row.raised_leaf !== null && { raisedLeaf: row.raised_leaf }),
    ...(row.acknowledged !== null && { acknowledged: JSON.parse(row.acknowledged) as AlertDecision }),
    ...(row.closed !== null && { closed: JSON.parse(row.closed) as AlertDecision }),
  };
}
