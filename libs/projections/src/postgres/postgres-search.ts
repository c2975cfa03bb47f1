import type { FilterTerms, SearchOptions } from '../event-filter.js';

/** A search as one PostgreSQL statement: its text (the same for every filter of one shape) and its parameters. */
export interface PostgresQuery {
  readonly text: string;
  readonly values: unknown[];
}

/**
 * The rows driving a search: the key table when the filter names a target or an actor, so the query walks one
 * index range of (tenant, key, leaf_index) in leaf order and stops after `limit` matches; else the events,
 * where the planner picks the (tenant, ..., leaf_index) index the equalities fit. A second key filter is a point
 * lookup per candidate (EXISTS on the whole index key).
 */
export function postgresSearch(terms: FilterTerms, options: SearchOptions): PostgresQuery {
  const values: unknown[] = [];
  const where: string[] = [];
  const bind = (value: unknown, type: string) => {
    values.push(value);
    return `$${values.length}::${type}`;
  };
  // One tenant (the usual scope) as an equality: with = ANY(array), PostgreSQL 15 would not trust the index order.
  const tenantIn = (column: string) => {
    if (terms.tenants === '*') return;
    const [only, ...more] = terms.tenants;
    where.push(more.length === 0 ? `${column} = ${bind(only, 'text')}` : `${column} = ANY(${bind(terms.tenants, 'text[]')})`);
  };

  let from = 'projected_events e';
  let driver = 'e';
  const keyed: [string, string | undefined][] = [
    ['projected_target_keys', terms.targetKey],
    ['projected_actor_keys', terms.actorKey],
  ];
  for (const [table, key] of keyed) {
    if (key === undefined) continue;
    if (driver === 'e') {
      driver = 'k';
      from = `${table} k JOIN projected_events e ON e.leaf_index = k.leaf_index`;
      where.push(`k.key = ${bind(key, 'text')}`);
      tenantIn('k.tenant');
    } else {
      where.push(`EXISTS (SELECT 1 FROM ${table} x WHERE x.tenant = e.tenant AND x.key = ${bind(key, 'text')} AND x.leaf_index = e.leaf_index)`);
    }
  }
  // The events' own tenant is checked too, whatever drives: isolation does not rest on one join.
  tenantIn('e.tenant');

  const descending = options.order === 'desc';
  if (options.after !== undefined) where.push(`${driver}.leaf_index ${descending ? '<' : '>'} ${bind(options.after, 'bigint')}`);
  if (options.upTo !== undefined) where.push(`${driver}.leaf_index < ${bind(options.upTo, 'bigint')}`);
  const { action } = terms;
  if (action !== undefined) {
    if ('exact' in action) where.push(`e.action = ${bind(action.exact, 'text')}`);
    else where.push(`e.action >= ${bind(action.from, 'text')} AND e.action < ${bind(action.below, 'text')}`);
  }
  if (terms.outcome !== undefined) where.push(`e.outcome = ${bind(terms.outcome, 'text')}`);
  if (terms.from !== undefined) where.push(`e.time >= ${bind(terms.from, 'text')}`);
  if (terms.to !== undefined) where.push(`e.time <= ${bind(terms.to, 'text')}`);
  if (terms.requestId !== undefined) where.push(`e.request_id = ${bind(terms.requestId, 'text')}`);
  if (terms.correlationId !== undefined) where.push(`e.correlation_id = ${bind(terms.correlationId, 'text')}`);
  // strpos, not LIKE/ILIKE: the text is a plain substring (no % or _ wildcards), compared on the folded reason.
  if (terms.text !== undefined) where.push(`strpos(e.reason_folded, ${bind(terms.text, 'text')}) > 0`);

  const text =
    `SELECT e.leaf_index, e.leaf, e.detail FROM ${from}` +
    (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
    ` ORDER BY ${driver}.leaf_index ${descending ? 'DESC' : 'ASC'} LIMIT ${bind(options.limit, 'integer')}`;
  return { text, values };
}
