/**
 * The double's whole state: an in-memory transaction log in `$all` order, with a per-stream index and the index of
 * event ids EventStoreDB keeps for idempotency checks.
 *
 * Positions are transaction-log addresses, as in EventStoreDB, not counters. A gRPC append makes one prepare record
 * per event, flagged as implicitly committed (`PrepareFlags.IsCommitted`, no separate commit record), and `$all`
 * reads give each event the log position of its own record as both `commit_position` and `prepare_position`. The
 * next record starts where the previous one ends, so positions grow by each record's size and have gaps.
 */

/** EventStoreDB's `ExpectedVersion.NoStream`: the current revision of a stream that has no events. */
export const NO_STREAM = -1;

/**
 * Bytes a fresh EventStoreDB database writes before the first user event (epoch record, system streams), so that no
 * event sits at position 0/0: a client may use 0/0 as "nothing seen yet".
 */
const FIRST_EVENT_POSITION = 4_096;

/**
 * Approximate fixed part of a prepare record (length prefix and suffix, record type and version, flags, log and
 * transaction positions, transaction offset, expected version, event and correlation ids, timestamp, the length
 * fields of type, data and metadata). Only its being positive matters: it makes the gaps between positions.
 */
const PREPARE_RECORD_OVERHEAD = 90;

export interface LogPosition {
  readonly commit: number;
  readonly prepare: number;
}

export interface ProposedEvent {
  /** Lower-case UUID; EventStoreDB compares ids as GUIDs, so case does not matter. */
  readonly id: string;
  readonly type: string;
  readonly isJson: boolean;
  readonly data: Uint8Array;
  readonly customMetadata: Uint8Array;
}

export interface StoredEvent extends ProposedEvent {
  readonly streamName: string;
  readonly revision: number;
  readonly position: LogPosition;
  readonly createdMs: number;
}

function comparePositions(a: LogPosition, b: LogPosition): number {
  return a.commit - b.commit || a.prepare - b.prepare;
}

export class EventLog {
  private readonly all: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  /**
   * EventStoreDB's committed-events index (`IndexWriter._committedEvents`): for each event id, the latest event
   * written with it. A later write of the same id, in any stream, replaces the entry.
   */
  private readonly latestById = new Map<string, StoredEvent>();
  private nextLogPosition = FIRST_EVENT_POSITION;
  private readonly appendWaiters = new Set<() => void>();

  get events(): readonly StoredEvent[] {
    return this.all;
  }

  streamEvents(streamName: string): readonly StoredEvent[] {
    return this.streams.get(streamName) ?? [];
  }

  currentRevision(streamName: string): number {
    return this.streamEvents(streamName).length - 1;
  }

  latestWithId(id: string): StoredEvent | undefined {
    return this.latestById.get(id);
  }

  /** Index in `events` of the first event at `position` or after it. */
  indexAtOrAfter(position: LogPosition): number {
    let low = 0;
    let high = this.all.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (comparePositions(this.all[middle]!.position, position) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Index in `events` of the first event after `position`. */
  indexAfter(position: LogPosition): number {
    const index = this.indexAtOrAfter(position);
    const atPosition = this.all[index];
    return atPosition !== undefined && comparePositions(atPosition.position, position) === 0 ? index + 1 : index;
  }

  /** Writes the events at the end of the stream, all of them in one synchronous step (appends are atomic). */
  append(streamName: string, proposed: readonly ProposedEvent[]): StoredEvent[] {
    const stream = this.streams.get(streamName) ?? [];
    this.streams.set(streamName, stream);
    const createdMs = Date.now();
    const written = proposed.map((event) => {
      const logPosition = this.nextLogPosition;
      this.nextLogPosition += recordSize(streamName, event);
      const stored: StoredEvent = {
        ...event,
        streamName,
        revision: stream.length,
        position: { commit: logPosition, prepare: logPosition },
        createdMs,
      };
      stream.push(stored);
      this.all.push(stored);
      this.latestById.set(stored.id, stored);
      return stored;
    });
    this.wakeAppendWaiters();
    return written;
  }

  /** Resolves at the next append, or when `signal` aborts. */
  nextAppend(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const wake = (): void => {
        this.appendWaiters.delete(wake);
        signal.removeEventListener('abort', wake);
        resolve();
      };
      this.appendWaiters.add(wake);
      signal.addEventListener('abort', wake);
    });
  }

  private wakeAppendWaiters(): void {
    for (const wake of [...this.appendWaiters]) wake();
  }
}

function recordSize(streamName: string, event: ProposedEvent): number {
  return (
    PREPARE_RECORD_OVERHEAD +
    Buffer.byteLength(streamName) +
    Buffer.byteLength(event.type) +
    event.data.byteLength +
    event.customMetadata.byteLength
  );
}
