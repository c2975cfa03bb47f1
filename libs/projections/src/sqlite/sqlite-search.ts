import type { FilterTerms, SearchOptions } from '../event-filter.js';
import { searchSql } from '../read-model-sql.js';

/** A search as one SQLite statement: its text (the same for every filter of one shape) and its parameters. */
export interface SqliteQuery {
  readonly sql: string;
  readonly params: unknown[];
}

/**
 * searchSql in SQLite: positional placeholders. A narrow time range (see timeRangeCount) is read through the time
 * index and sorted; otherwise the tenant's leaves are walked in order, which SQLite prefers because the ORDER BY
 * needs no sort.
 */
export function sqliteSearch(terms: FilterTerms, options: SearchOptions, viaTimeIndex = false): SqliteQuery {
  const params: unknown[] = [];
  const bind = (value: unknown) => {
    params.push(value);
    return '?';
  };
  const events = viaTimeIndex ? 'projected_events e INDEXED BY projected_events_by_time' : 'projected_events e';
  const sql = searchSql(
    terms,
    options,
    {
      bind,
      tenantIn: (column, tenants) => `${column} IN (${tenants.map(bind).join(', ')})`,
      contains: (column, text) => `instr(${column}, ${bind(text)}) > 0`,
    },
    events,
  );
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
