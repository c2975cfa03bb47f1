/**
 * The SQLite read model's tables; their search indexes are in search-indexes.ts. Bumping SCHEMA_VERSION makes the
 * next open drop the old tables: the read model is derived state, and the projector then rebuilds it from the store.
 *
 * INTEGER PRIMARY KEY makes leaf_index the rowid, so the events, like the key rows, are appended in leaf order.
 */
export const SCHEMA_VERSION = 2;

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
  id             TEXT NOT NULL,
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

-- The actor's and each target's id and type:id (matchKeys): a filter value is one key, whichever form it takes.
CREATE TABLE IF NOT EXISTS projected_actor_keys (
  tenant     TEXT NOT NULL,
  key        TEXT NOT NULL,
  leaf_index INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS projected_target_keys (
  tenant     TEXT NOT NULL,
  key        TEXT NOT NULL,
  leaf_index INTEGER NOT NULL
);

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

