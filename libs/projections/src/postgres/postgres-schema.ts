/**
 * The PostgreSQL read model's tables, in a schema of their own (the `schema` option). Bumping SCHEMA_VERSION makes
 * the next open drop the old tables: derived state, which the projector rebuilds from the store.
 *
 * Text that is compared by order (time, action) or sorted uses the "C" collation: code point order, like SQLite's
 * BINARY and JavaScript's comparisons of these ASCII values; a linguistic collation would order "user.mfa/" and
 * punctuation differently and break the action-prefix range. The search indexes are in search-indexes.ts.
 */
export const SCHEMA_VERSION = 2;

export const TABLES = [
  'read_model_schema',
  'projection_state',
  'projected_events',
  'projected_actor_keys',
  'projected_target_keys',
  'role_changes',
  'role_holdings',
] as const;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS read_model_schema (version integer NOT NULL);

CREATE TABLE IF NOT EXISTS projection_state (
  singleton        boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  -- Store positions are unsigned 64-bit: wider than bigint. NULL: 'start'.
  position_commit  numeric(20, 0),
  position_prepare numeric(20, 0),
  leaf_count       bigint NOT NULL
);
INSERT INTO projection_state (singleton, position_commit, position_prepare, leaf_count) VALUES (true, NULL, NULL, 0)
  ON CONFLICT DO NOTHING;

CREATE TABLE IF NOT EXISTS projected_events (
  leaf_index     bigint PRIMARY KEY,
  id             text COLLATE "C" NOT NULL,
  tenant         text COLLATE "C" NOT NULL,
  time           text COLLATE "C" NOT NULL,
  action         text COLLATE "C" NOT NULL,
  outcome        text COLLATE "C" NOT NULL,
  actor_type     text COLLATE "C" NOT NULL,
  actor_id       text COLLATE "C" NOT NULL,
  reason         text,
  reason_folded  text COLLATE "C",
  request_id     text COLLATE "C",
  correlation_id text COLLATE "C",
  leaf           bytea NOT NULL,
  detail         text
);

-- The actor's and each target's id and type:id (matchKeys): a filter value is one key, whichever form it takes.
CREATE TABLE IF NOT EXISTS projected_actor_keys (
  tenant     text COLLATE "C" NOT NULL,
  key        text COLLATE "C" NOT NULL,
  leaf_index bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS projected_target_keys (
  tenant     text COLLATE "C" NOT NULL,
  key        text COLLATE "C" NOT NULL,
  leaf_index bigint NOT NULL
);

-- Successful grants and revokes, one row per role an event names: replayed up to an instant by accessAt.
CREATE TABLE IF NOT EXISTS role_changes (
  leaf_index   bigint NOT NULL,
  role         text COLLATE "C" NOT NULL,
  tenant       text COLLATE "C" NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('granted', 'revoked')),
  subject_type text COLLATE "C" NOT NULL,
  subject_id   text COLLATE "C" NOT NULL,
  time         text COLLATE "C" NOT NULL,
  event_id     text NOT NULL,
  PRIMARY KEY (leaf_index, role)
);
CREATE INDEX IF NOT EXISTS role_changes_by_time ON role_changes (tenant, time);
CREATE INDEX IF NOT EXISTS role_changes_by_role ON role_changes (tenant, role, time);

-- Who holds what after every projected event: accessAt answers from here for an instant past the last change.
CREATE TABLE IF NOT EXISTS role_holdings (
  tenant             text COLLATE "C" NOT NULL,
  role               text COLLATE "C" NOT NULL,
  subject_type       text COLLATE "C" NOT NULL,
  subject_id         text COLLATE "C" NOT NULL,
  since              text COLLATE "C" NOT NULL,
  granted_event_id   text NOT NULL,
  granted_leaf_index bigint NOT NULL,
  PRIMARY KEY (tenant, role, subject_type, subject_id)
);
`;
