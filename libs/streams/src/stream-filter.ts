import { ACTIONS, isAction, type Envelope } from '@trailmark/domain';
import type { StreamFilter } from './stream-definition.js';

/**
 * The actions a filter lets through, categories resolved into their actions, or undefined for "every action".
 * Batches carry this resolved list so that a receiver can re-check the filter without the vocabulary.
 */
export function filterActions(filter: StreamFilter): string[] | undefined {
  const actions = filter.actions ?? [];
  const categories = filter.categories ?? [];
  if (actions.length === 0 && categories.length === 0) return undefined;
  const byCategory = Object.entries(ACTIONS)
    .filter(([, definition]) => categories.includes(definition.category))
    .map(([action]) => action);
  return [...new Set([...actions, ...byCategory])].sort();
}

/** Whether a stream of `tenant` with `filter` carries the event `envelope`. */
export function streamCarries(tenant: string, filter: StreamFilter, envelope: Envelope): boolean {
  if (envelope.tenant !== tenant) return false;
  const outcomes = filter.outcomes ?? [];
  if (outcomes.length > 0 && !outcomes.includes(envelope.outcome)) return false;
  const actions = filterActions(filter);
  return actions === undefined || actions.includes(envelope.action);
}

/** The filter's lists that name nothing known: the API refuses them. */
export function unknownFilterNames(filter: StreamFilter): { field: string; value: string } | undefined {
  const categories = new Set(Object.values(ACTIONS).map((definition) => definition.category as string));
  for (const [i, action] of (filter.actions ?? []).entries()) if (!isAction(action)) return { field: `filter.actions[${i}]`, value: action };
  for (const [i, category] of (filter.categories ?? []).entries()) if (!categories.has(category)) return { field: `filter.categories[${i}]`, value: category };
  return undefined;
}
