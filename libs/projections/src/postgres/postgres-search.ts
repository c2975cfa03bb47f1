import type { FilterTerms, SearchOptions } from '../event-filter.js';
import { searchSql } from '../read-model-sql.js';

/** A search as one PostgreSQL statement: its text (the same for every filter of one shape) and its parameters. */
export interface PostgresQuery {
  readonly text: string;
  readonly values: unknown[];
}

/** searchSql in PostgreSQL: numbered, typed placeholders; the planner picks the index. */
export function postgresSearch(terms: FilterTerms, options: SearchOptions): PostgresQuery {
  const values: unknown[] = [];
  const bind = (value: unknown, type: string) => {
    values.push(value);
    return `$${values.length}::${type}`;
  };
  const text = searchSql(terms, options, {
    bind,
    // One tenant (the usual scope) as an equality: with = ANY(array), PostgreSQL 15 would not trust the index order.
    tenantIn: (column, tenants) => (tenants.length === 1 ? `${column} = ${bind(tenants[0], 'text')}` : `${column} = ANY(${bind(tenants, 'text[]')})`),
    contains: (column, text) => `strpos(${column}, ${bind(text, 'text')}) > 0`,
  });
  return { text, values };
}
