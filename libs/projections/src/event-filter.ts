import { checkServerTime } from './server-time.js';

/**
 * What a search asks for. Every field narrows the result; absent fields do not. The semantics are those of the
 * scan-based search the read model replaces (apps/ledger/src/core/event-search.ts), plus the tenant list and the
 * request, correlation and text filters.
 */
export interface EventFilter {
  /** The caller's scope, already narrowed to what it may read: a list of tenants (empty: nothing), or every tenant. */
  readonly tenants: readonly string[] | '*';
  /** The actor's id (`u_1`), or its type and id (`user:u_1`). */
  readonly actor?: string;
  /** An action (`user.login`), or every action under a prefix ending in `.*` (`user.mfa.*`). */
  readonly action?: string;
  /** Some target's id (`u_1`), or its type and id (`role:admin`). */
  readonly target?: string;
  readonly outcome?: string;
  /** Server time, inclusive, spelled as envelopes carry it (six fractional digits, `Z`). */
  readonly from?: string;
  readonly to?: string;
  /** `context.requestId` of the event's detail, exactly. */
  readonly requestId?: string;
  /** `context.correlationId` of the event's detail, exactly. */
  readonly correlationId?: string;
  /** A substring of the reason, compared case-insensitively (both sides lowercased with `toLowerCase()`). */
  readonly text?: string;
  /** Actions left out, each exact or a prefix ending in `.*` (`audit_log.*`): a poller skips the records of its own reads. */
  readonly excludeActions?: readonly string[];
}

export interface SearchOptions {
  /** The cursor: only events strictly beyond this leaf index in the order asked for. */
  readonly after?: bigint;
  /** Only leaves below this index (exclusive), e.g. the tree size, so a page holds only provable events. */
  readonly upTo?: bigint;
  /** At most this many events: a positive integer. */
  readonly limit: number;
  /** By leaf index: oldest first (`'asc'`, the default) or newest first. */
  readonly order?: 'asc' | 'desc';
}

export interface ScanOptions {
  /** Only events after this leaf index (exclusive). */
  readonly after?: bigint;
  /** Only leaves below this index (exclusive): an export's fixed end, so rows arriving meanwhile are not chased. */
  readonly upTo: bigint;
  /** Rows per query (default SCAN_PAGE_SIZE): an export holds one page at a time. */
  readonly pageSize?: number;
}

export const SCAN_PAGE_SIZE = 1000;

/**
 * A filter reduced to what the SQL of both adapters compares, so that neither parses the filter on its own and
 * their semantics cannot drift: exact keys, a half-open text range for an action prefix, the folded text.
 */
export interface FilterTerms {
  readonly tenants: readonly string[] | '*';
  /** Matched against the actor keys of an event: its id and `type:id` (see matchKeys). */
  readonly actorKey?: string;
  readonly action?: ActionTerm;
  /** Matched against the target keys of an event: each target's id and `type:id`. */
  readonly targetKey?: string;
  readonly outcome?: string;
  readonly from?: string;
  readonly to?: string;
  readonly requestId?: string;
  readonly correlationId?: string;
  /** Lowercased: compared with the lowercased reason the adapters store. */
  readonly text?: string;
  /** Actions left out, as ranges like `action`'s. */
  readonly excludeActions?: readonly ActionTerm[];
}

/** Exact action, or the range [from, below) holding exactly the actions that start with a prefix. */
export type ActionTerm = { readonly exact: string } | { readonly from: string; readonly below: string };

/**
 * The filter as terms, or undefined when it can match nothing (an empty tenant list), so no query runs.
 * `from` and `to` must be spelled as server times (RangeError otherwise): they are compared as text.
 * An action prefix `p.*` becomes the range [`p.`, `p/`): '/' follows '.' in code point order, and a string
 * lies in that range exactly when it starts with `p.` (both adapters compare text by code point: SQLite's BINARY,
 * PostgreSQL's "C" collation).
 */
export function filterTerms(filter: EventFilter): FilterTerms | undefined {
  if (filter.from !== undefined) checkServerTime(filter.from, 'from');
  if (filter.to !== undefined) checkServerTime(filter.to, 'to');
  if (filter.tenants !== '*' && filter.tenants.length === 0) return undefined;
  const { action, excludeActions } = filter;
  return {
    tenants: filter.tenants === '*' ? '*' : [...new Set(filter.tenants)],
    ...(filter.actor !== undefined && { actorKey: filter.actor }),
    ...(action !== undefined && { action: actionTerm(action) }),
    ...(excludeActions !== undefined && excludeActions.length > 0 && { excludeActions: [...new Set(excludeActions)].map(actionTerm) }),
    ...(filter.target !== undefined && { targetKey: filter.target }),
    ...(filter.outcome !== undefined && { outcome: filter.outcome }),
    ...(filter.from !== undefined && { from: filter.from }),
    ...(filter.to !== undefined && { to: filter.to }),
    ...(filter.requestId !== undefined && { requestId: filter.requestId }),
    ...(filter.correlationId !== undefined && { correlationId: filter.correlationId }),
    ...(filter.text !== undefined && { text: foldText(filter.text) }),
  };
}

function actionTerm(action: string): ActionTerm {
  return action.endsWith('.*') ? { from: action.slice(0, -1), below: `${action.slice(0, -2)}/` } : { exact: action };
}

/** Case folding for the text filter, done here rather than in SQL so that both databases fold alike. */
export function foldText(text: string): string {
  return text.toLowerCase();
}

/**
 * The keys under which a filter value finds a party: `id` and `type:id`. A filter matches when it equals one of
 * them, exactly as the scan-based search compares (`t.id === value || \`${t.type}:${t.id}\` === value`); stored
 * as index rows, each filter is one equality, so a range scan ordered by leaf index.
 */
export function matchKeys(party: { readonly type: string; readonly id: string }): string[] {
  return [party.id, `${party.type}:${party.id}`];
}

export function checkSearchOptions(options: SearchOptions): void {
  if (!Number.isSafeInteger(options.limit) || options.limit < 1) throw new RangeError(`limit must be a positive integer, not ${options.limit}`);
}
