/**
 * The indexes searches read, by name, in SQL both SQLite and PostgreSQL accept. Each ends with leaf_index, so a
 * filter narrowed by equalities reads one index range already in leaf order and a page stops after `limit` rows.
 * They are created with the tables and dropped while an empty read model is loaded in bulk (deferIndexes).
 */
export const SEARCH_INDEXES: Readonly<Record<string, string>> = {
  projected_events_by_tenant: 'projected_events (tenant, leaf_index)',
  projected_events_by_action: 'projected_events (tenant, action, leaf_index)',
  projected_events_by_outcome: 'projected_events (tenant, outcome, leaf_index)',
  projected_events_by_time: 'projected_events (tenant, time, leaf_index)',
  projected_events_by_request: 'projected_events (tenant, request_id, leaf_index) WHERE request_id IS NOT NULL',
  projected_events_by_correlation: 'projected_events (tenant, correlation_id, leaf_index) WHERE correlation_id IS NOT NULL',
  projected_actor_keys_by_key: 'projected_actor_keys (tenant, key, leaf_index)',
  projected_target_keys_by_key: 'projected_target_keys (tenant, key, leaf_index)',
};

export const CREATE_SEARCH_INDEXES = Object.entries(SEARCH_INDEXES)
  .map(([name, on]) => `CREATE INDEX IF NOT EXISTS ${name} ON ${on};`)
  .join('\n');

export const DROP_SEARCH_INDEXES = Object.keys(SEARCH_INDEXES)
  .map((name) => `DROP INDEX IF EXISTS ${name};`)
  .join('\n');
