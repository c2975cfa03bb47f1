/**
 * `ReadReq.options.filter` for `$all`: a stream-name or event-type expression (a regex, else any of the prefixes),
 * and the window that sets how often a filtered subscription reports a checkpoint.
 */
import type { StoredEvent } from './event-log.js';
import type { FilterOptions } from './protocol.js';
import { invalidArgument } from './wire.js';

/**
 * EventStoreDB's page size for `$all` reads (`Enumerator.ReadBatchSize`): the search window when the client sends
 * `count` instead of `max`.
 */
const DEFAULT_SEARCH_WINDOW = 32;

export interface EventFilter {
  matches(event: StoredEvent): boolean;
  /** Events scanned, matching or not, between two checkpoints: `checkpointIntervalMultiplier × max_search_window`. */
  readonly checkpointInterval: number;
}

export function eventFilterOf(options: FilterOptions): EventFilter {
  const matchesText = textMatcher(options);
  const matches = options.hasStreamIdentifier()
    ? (event: StoredEvent) => matchesText(event.streamName)
    : (event: StoredEvent) => matchesText(event.type);
  const searchWindow = options.hasMax() ? options.getMax() : DEFAULT_SEARCH_WINDOW;
  const multiplier = options.getCheckpointintervalmultiplier();
  if (searchWindow <= 0 || multiplier <= 0) {
    throw invalidArgument('A filter needs a positive max_search_window and checkpointIntervalMultiplier.');
  }
  return { matches, checkpointInterval: multiplier * searchWindow };
}

/** As EventStoreDB's `EventFilter`: a non-empty regex (matched anywhere in the text), else case-sensitive prefixes. */
function textMatcher(options: FilterOptions): (text: string) => boolean {
  const expression = options.getStreamIdentifier() ?? options.getEventType();
  if (expression === undefined) throw invalidArgument('A filter needs a stream_identifier or event_type expression.');
  const regex = expression.getRegex();
  if (regex !== '') {
    const pattern = compile(regex);
    return (text) => pattern.test(text);
  }
  const prefixes = expression.getPrefixList();
  return (text) => prefixes.some((prefix) => text.startsWith(prefix));
}

function compile(regex: string): RegExp {
  try {
    return new RegExp(regex);
  } catch {
    throw invalidArgument(`The filter's regex does not compile: ${regex}`);
  }
}
