/** The `ReadResp` messages the double sends, shaped as EventStoreDB's `Streams.Read` shapes them. */
import { randomUUID } from 'node:crypto';
import type { LogPosition, StoredEvent } from './event-log.js';
import { ReadResp } from './protocol.js';
import { streamIdentifier, uuidMessage } from './wire.js';

/** `created` is in .NET ticks (100 ns) since the Unix epoch. */
const TICKS_PER_MILLISECOND = 10_000n;

/**
 * `ReadResp.event`: the recorded event with its revision, its position (commit and prepare) and the metadata map
 * EventStoreDB fills (`type`, `created`, `content-type`); `commit_position` is set too, since every event the double
 * holds has a position.
 */
export function eventResponse(event: StoredEvent): ReadResp {
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(uuidMessage(event.id))
    .setStreamIdentifier(streamIdentifier(event.streamName))
    .setStreamRevision(String(event.revision))
    .setCommitPosition(String(event.position.commit))
    .setPreparePosition(String(event.position.prepare))
    .setCustomMetadata(event.customMetadata)
    .setData(event.data);
  recorded
    .getMetadataMap()
    .set('type', event.type)
    .set('created', String(BigInt(event.createdMs) * TICKS_PER_MILLISECOND))
    .set('content-type', event.isJson ? 'application/json' : 'application/octet-stream');
  const readEvent = new ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(String(event.position.commit));
  return new ReadResp().setEvent(readEvent);
}

/** First message of every subscription. */
export function confirmation(): ReadResp {
  return new ReadResp().setConfirmation(new ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID()));
}

/** Sent once, when a subscription has sent every event there is and goes live; client 6.2.1 emits `caughtUp`. */
export function caughtUp(): ReadResp {
  return new ReadResp().setCaughtUp(new ReadResp.CaughtUp());
}

/** A filtered `$all` subscription's progress report; client 6.2.1 passes it to the filter's `checkpointReached`. */
export function checkpoint(position: LogPosition): ReadResp {
  return new ReadResp().setCheckpoint(
    new ReadResp.Checkpoint().setCommitPosition(String(position.commit)).setPreparePosition(String(position.prepare)),
  );
}

/** The only message of a read of a stream that has no events. */
export function streamNotFound(streamName: string): ReadResp {
  const notFound = new ReadResp.StreamNotFound().setStreamIdentifier(streamIdentifier(streamName));
  return new ReadResp().setStreamNotFound(notFound);
}
