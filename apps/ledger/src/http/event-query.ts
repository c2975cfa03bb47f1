import { ACTION_NAMES, tenantAllowed } from '@trailmark/domain';
import type { EventFilter } from '@trailmark/projections';
import { ApiError } from './api-error.js';
import type { Principal } from './auth/credentials.js';
import { singleValue } from './json.js';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const OUTCOMES = ['success', 'failure', 'error'];

/** The filters of `GET /v1/events` and of its export, by query parameter. */
export const FILTER_PARAMETERS = ['tenant', 'actor', 'action', 'target', 'outcome', 'from', 'to', 'requestId', 'correlationId', 'text'] as const;
export type FilterQuery = Partial<Record<(typeof FILTER_PARAMETERS)[number], unknown>>;

/**
 * The filter a request asks for, narrowed to the tenants its token may read. A token scoped to tenants must name
 * one (`tenant`), and naming one it may not read is a 403 whether or not that tenant has events: the answer
 * never tells which tenants exist.
 */
export function parseEventFilter(query: FilterQuery, principal: Principal): EventFilter {
  const [tenant, actor, action, target, outcome, from, to, requestId, correlationId, text] = FILTER_PARAMETERS.map((name) =>
    singleValue(query[name], name),
  );
  if (tenant === undefined && principal.tenants !== '*') {
    throw new ApiError(400, 'bad_request', 'tenant is required for a token scoped to tenants', { parameter: 'tenant' });
  }
  if (tenant !== undefined && !tenantAllowed(principal.tenants, tenant)) {
    throw new ApiError(403, 'forbidden', `the token "${principal.name}" may not read tenant "${tenant}"`, { parameter: 'tenant' });
  }
  if (action !== undefined && !ACTION_NAMES.some((name) => (action.endsWith('.*') ? name.startsWith(action.slice(0, -1)) : name === action))) {
    throw new ApiError(400, 'bad_request', `action "${action}" matches no action of the vocabulary`, { parameter: 'action' });
  }
  if (outcome !== undefined && !OUTCOMES.includes(outcome)) {
    throw new ApiError(400, 'bad_request', `outcome must be one of ${OUTCOMES.join(', ')}`, { parameter: 'outcome' });
  }
  const fromTime = parseTime(from, 'from');
  const toTime = parseTime(to, 'to');
  return {
    tenants: tenant === undefined ? '*' : [tenant],
    ...(actor !== undefined && { actor }),
    ...(action !== undefined && { action }),
    ...(target !== undefined && { target }),
    ...(outcome !== undefined && { outcome }),
    ...(fromTime !== undefined && { from: fromTime }),
    ...(toTime !== undefined && { to: toTime }),
    ...(requestId !== undefined && { requestId }),
    ...(correlationId !== undefined && { correlationId }),
    ...(text !== undefined && { text }),
  };
}

/** An RFC 3339 UTC query parameter, spelled as envelopes carry time (six fractional digits), or an ApiError. */
export function parseTime(raw: unknown, name: string): string | undefined {
  const value = singleValue(raw, name);
  if (value === undefined) return undefined;
  if (!RFC3339.test(value) || !isRealTime(value)) {
    throw new ApiError(400, 'bad_request', `${name} must be an RFC 3339 UTC time such as 2026-01-31T12:00:00Z`, { parameter: name });
  }
  return normalizeTime(value);
}

/** Whether a time that matches RFC3339 names an instant that exists: month 1-12, a day of that month, 23:59:59 at most. */
function isRealTime(value: string): boolean {
  const [year, month, day, hour, minute, second] = value.slice(0, 19).split(/[-T:]/).map(Number) as [number, number, number, number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second);
  return (
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second
  );
}

/** Envelope times carry exactly six fractional digits; compare like with like. */
function normalizeTime(time: string): string {
  const [whole, fraction = ''] = time.slice(0, -1).split('.');
  return `${whole}.${fraction.padEnd(6, '0').slice(0, 6)}Z`;
}

/** The query as recorded in a read's audit event: the filters given, nothing else. */
export function recordedQuery(query: FilterQuery & Record<string, unknown>, extra: readonly string[] = []): Record<string, string> {
  const names = [...FILTER_PARAMETERS, ...extra];
  return Object.fromEntries(names.flatMap((name) => (typeof query[name] === 'string' ? [[name, query[name]]] : [])));
}
