/**
 * The SQLite read model's tables. Bumping SCHEMA_VERSION makes the next open drop the old tables: the read model
 * is derived state, and the projector then rebuilds it from the store.
 *
 * Every index ends with leaf_index, so a filter narrowed by equalities reads one index range already in leaf order
 * and a page stops after `limit` rows; INTEGER PRIMARY KEY makes leaf_index the rowid, and the key tables are
 * WITHOUT ROWID: their primary key is the index.
 */
export const SCHEMA_VERSION = 1;

export const TABLES = [
  'projection_state',
  'projected_events',
  'projected_actor_keys',
  'projected_target_keys',
  'role_changes',
  'role_holdings',
] as const;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS projection_state (
  singleton        INTEGER PRIMARY KEY CHECK (singleton = 1),
  -- Decimal text: store positions are unsigned 64-bit, wider than SQLite's signed INTEGER. NULL: 'start'.
  position_commit  TEXT,
  position_prepare TEXT,
  leaf_count       INTEGER NOT NULL
);
INSERT OR IGNORE INTO projection_state (singleton, position_commit, position_prepare, leaf_count) VALUES (1, NULL, NULL, 0);

CREATE TABLE IF NOT EXISTS projected_events (
  leaf_index     INTEGER PRIMARY KEY,
  id             TEXT NOT NULL UNIQUE,
  tenant         TEXT NOT NULL,
  time           TEXT NOT NULL,
  action         TEXT NOT NULL,
  outcome        TEXT NOT NULL,
  actor_type     TEXT NOT NULL,
  actor_id       TEXT NOT NULL,
  reason         TEXT,
  reason_folded  TEXT,
  request_id     TEXT,
  correlation_id TEXT,
  leaf           BLOB NOT NULL,
  detail         TEXT
);
CREATE INDEX IF NOT EXISTS projected_events_by_tenant ON projected_events (tenant, leaf_index);
CREATE INDEX IF NOT EXISTS projected_events_by_action ON projected_events (tenant, action, leaf_index);
CREATE INDEX IF NOT EXISTS projected_events_by_outcome ON projected_events (tenant, outcome, leaf_index);
CREATE INDEX IF NOT EXISTS projected_events_by_time ON projected_events (tenant, time, leaf_index);
CREATE INDEX IF NOT EXISTS projected_events_by_request ON projected_events (tenant, request_id, leaf_index) WHERE request_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS projected_events_by_correlation ON projected_events (tenant, correlation_id, leaf_index) WHERE correlation_id IS NOT NULL;

-- The actor's and each target's id and type:id (matchKeys): a filter value is one key, whichever form it takes.
CREATE TABLE IF NOT EXISTS projected_actor_keys (
  tenant     TEXT NOT NULL,
  key        TEXT NOT NULL,
  leaf_index INTEGER NOT NULL,
  PRIMARY KEY (tenant, key, leaf_index)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS projected_target_keys (
  tenant     TEXT NOT NULL,
  key        TEXT NOT NULL,
  leaf_index INTEGER NOT NULL,
  PRIMARY KEY (tenant, key, leaf_index)
) WITHOUT ROWID;

-- Successful grants and revokes, one row per role an event names: replayed up to an instant by accessAt.
CREATE TABLE IF NOT EXISTS role_changes (
  leaf_index   INTEGER NOT NULL,
  role         TEXT NOT NULL,
  tenant       TEXT NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('granted', 'revoked')),
  subject_type TEXT NOT NULL,
  subject_id   TEXT NOT NULL,
  time         TEXT NOT NULL,
  event_id     TEXT NOT NULL,
  PRIMARY KEY (leaf_index, role)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS role_changes_by_time ON role_changes (tenant, time);
CREATE INDEX IF NOT EXISTS role_changes_by_role ON role_changes (tenant, role, time);

-- Who holds what after every projected event: accessAt answers from here for an instant past the last change.
CREATE TABLE IF NOT EXISTS role_holdings (
  tenant             TEXT NOT NULL,
  role               TEXT NOT NULL,
  subject_type       TEXT NOT NULL,
  subject_id         TEXT NOT NULL,
  since              TEXT NOT NULL,
  granted_event_id   TEXT NOT NULL,
  granted_leaf_index INTEGER NOT NULL,
  PRIMARY KEY (tenant, role, subject_type, subject_id)
) WITHOUT ROWID;
`;
