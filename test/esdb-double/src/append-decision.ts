/**
 * What EventStoreDB does with an append, decided before anything is written: its commit check
 * (`IndexWriter.CheckCommit`), which combines the expected-revision check with idempotency by event id.
 *
 * - `any` and `stream_exists` look each id up in the committed-events index (the latest event written with that id,
 *   in any stream). If every id's latest event is in this stream, the append is a retry. If the first id is not,
 *   the events are new and are written. If the first is but a later one is not, the decision is
 *   `CorruptedIdempotency`, which EventStoreDB answers as a wrong expected version.
 * - An exact revision and `no_stream` (revision -1) compare ids with the events already stored after the expected
 *   revision: if the stream has moved past it and holds exactly these ids, in this order, right after it, the append
 *   is a retry; any other difference is a wrong expected version.
 *
 * A retry writes nothing and answers with the revision and position of the event that matched the append's last id.
 */
import { NO_STREAM, type EventLog, type StoredEvent } from './event-log.js';

export type ExpectedRevision =
  | { readonly kind: 'any' }
  | { readonly kind: 'no_stream' }
  | { readonly kind: 'stream_exists' }
  | { readonly kind: 'exact'; readonly revision: number };

export type AppendDecision =
  | { readonly kind: 'write' }
  | { readonly kind: 'retry'; readonly lastEvent: StoredEvent }
  | { readonly kind: 'wrong_expected_version'; readonly currentRevision: number };

export function decideAppend(
  log: EventLog,
  streamName: string,
  expected: ExpectedRevision,
  ids: readonly string[],
): AppendDecision {
  const currentRevision = log.currentRevision(streamName);
  const wrongExpectedVersion: AppendDecision = { kind: 'wrong_expected_version', currentRevision };
  switch (expected.kind) {
    case 'stream_exists':
      if (currentRevision === NO_STREAM) return wrongExpectedVersion;
      return decideByLatestIds(log, streamName, ids, wrongExpectedVersion);
    case 'any':
      return decideByLatestIds(log, streamName, ids, wrongExpectedVersion);
    case 'no_stream':
      return decideByStoredIds(log.streamEvents(streamName), NO_STREAM, ids, wrongExpectedVersion);
    case 'exact':
      return decideByStoredIds(log.streamEvents(streamName), expected.revision, ids, wrongExpectedVersion);
  }
}

function decideByLatestIds(
  log: EventLog,
  streamName: string,
  ids: readonly string[],
  wrongExpectedVersion: AppendDecision,
): AppendDecision {
  let lastEvent: StoredEvent | undefined;
  for (const [index, id] of ids.entries()) {
    const latest = log.latestWithId(id);
    if (latest === undefined || latest.streamName !== streamName) {
      return index === 0 ? { kind: 'write' } : wrongExpectedVersion;
    }
    lastEvent = latest;
  }
  return lastEvent === undefined ? { kind: 'write' } : { kind: 'retry', lastEvent };
}

function decideByStoredIds(
  stored: readonly StoredEvent[],
  expectedRevision: number,
  ids: readonly string[],
  wrongExpectedVersion: AppendDecision,
): AppendDecision {
  const currentRevision = stored.length - 1;
  if (expectedRevision === currentRevision) return { kind: 'write' };
  if (expectedRevision > currentRevision) return wrongExpectedVersion;
  // The events stored right after the expected revision, as many as the append proposes.
  const following = stored.slice(expectedRevision + 1, expectedRevision + 1 + ids.length);
  const lastEvent = following.at(-1);
  if (lastEvent === undefined || following.length < ids.length) return wrongExpectedVersion;
  const isRetry = following.every((event, index) => event.id === ids[index]);
  return isRetry ? { kind: 'retry', lastEvent } : wrongExpectedVersion;
}
