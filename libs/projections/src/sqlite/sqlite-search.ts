import type { FilterTerms, SearchOptions } from '../event-filter.js';

/** A search as one SQLite statement: its text (the same for every filter of one shape) and its parameters. */
export interface SqliteQuery {
  readonly sql: string;
  readonly params: unknown[];
}

/**
 * The rows driving a search: the key table when the filter names a target or an actor, so the query walks one
 * index range of (tenant, key, leaf_index) in leaf order and stops after `limit` matches; else the events,
 * where SQLite picks the (tenant, ..., leaf_index) index the equalities fit. A second key filter is a point
 * lookup per candidate (EXISTS on the whole index key).
 */
export function sqliteSearch(terms: FilterTerms, options: SearchOptions, viaTimeIndex = false): SqliteQuery {
  const params: unknown[] = [];
  const where: string[] = [];
  const bind = (value: unknown) => {
    params.push(value);
    return '?';
  };
  const tenantIn = (column: string) => {
    if (terms.tenants !== '*') where.push(`${column} IN (${terms.tenants.map(bind).join(', ')})`);
  };

  // A narrow time range is read through the time index and sorted (see timeRangeIsNarrow); otherwise the
  // tenant's leaves are walked in order, which SQLite prefers because the ORDER BY needs no sort.
  let from = viaTimeIndex ? 'projected_events e INDEXED BY projected_events_by_time' : 'projected_events e';
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
      where.push(`k.key = ${bind(key)}`);
      tenantIn('k.tenant');
    } else {
      where.push(`EXISTS (SELECT 1 FROM ${table} x WHERE x.tenant = e.tenant AND x.key = ${bind(key)} AND x.leaf_index = e.leaf_index)`);
    }
  }
  // The events' own tenant is checked too, whatever drives: isolation does not rest on one join.
  tenantIn('e.tenant');

  const descending = options.order === 'desc';
  if (options.after !== undefined) where.push(`${driver}.leaf_index ${descending ? '<' : '>'} ${bind(options.after)}`);
  if (options.upTo !== undefined) where.push(`${driver}.leaf_index < ${bind(options.upTo)}`);
  const { action } = terms;
  if (action !== undefined) {
    if ('exact' in action) where.push(`e.action = ${bind(action.exact)}`);
    else where.push(`e.action >= ${bind(action.from)} AND e.action < ${bind(action.below)}`);
  }
  if (terms.outcome !== undefined) where.push(`e.outcome = ${bind(terms.outcome)}`);
  if (terms.from !== undefined) where.push(`e.time >= ${bind(terms.from)}`);
  if (terms.to !== undefined) where.push(`e.time <= ${bind(terms.to)}`);
  if (terms.requestId !== undefined) where.push(`e.request_id = ${bind(terms.requestId)}`);
  if (terms.correlationId !== undefined) where.push(`e.correlation_id = ${bind(terms.correlationId)}`);
  // instr, not LIKE: the text is a plain substring (no % or _ wildcards), compared on the folded reason.
  if (terms.text !== undefined) where.push(`instr(e.reason_folded, ${bind(terms.text)}) > 0`);

  const sql =
    `SELECT e.leaf_index, e.leaf, e.detail FROM ${from}` +
    (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
    ` ORDER BY ${driver}.leaf_index ${descending ? 'DESC' : 'ASC'} LIMIT ${bind(options.limit)}`;
  return { sql, params };
}

/** Rows of a time range worth sorting: below this, reading the range through its index beats walking the tenant. */
export const NARROW_TIME_RANGE_ROWS = 10_000;

/**
 * The query counting, up to NARROW_TIME_RANGE_ROWS, the rows of a tenant-list filter's time range, when the range
 * is the search's only narrowing by index (no actor, target, request or correlation id); else undefined.
 */
export function timeRangeCount(terms: FilterTerms): SqliteQuery | undefined {
  if (terms.tenants === '*' || (terms.from === undefined && terms.to === undefined)) return undefined;
  if (terms.actorKey !== undefined || terms.targetKey !== undefined || terms.requestId !== undefined || terms.correlationId !== undefined) {
    return undefined;
  }
  const params: unknown[] = [...terms.tenants];
  const where = [`tenant IN (${terms.tenants.map(() => '?').join(', ')})`];
  if (terms.from !== undefined) {
    where.push('time >= ?');
    params.push(terms.from);
  }
  if (terms.to !== undefined) {
    where.push('time <= ?');
    params.push(terms.to);
  }
  params.push(NARROW_TIME_RANGE_ROWS);
  return {
    sql: `SELECT count(*) AS n FROM (SELECT 1 FROM projected_events INDEXED BY projected_events_by_time WHERE ${where.join(' AND ')} LIMIT ?)`,
    params,
  };
}
