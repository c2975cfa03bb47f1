import { randomUUID } from 'node:crypto';
import { openCheckpoint, type Hash } from '@trailmark/proofs';
import type { CheckpointClaims } from './checkpoint-publisher.js';
import { LogKeyMismatchError } from './errors.js';
import type { SignedCheckpoint } from './signed-checkpoint-store.js';
import { StreamNotFoundError, WrongExpectedVersionError, type EventStore, type RecordedEvent } from '@trailmark/event-store';

/** Outside the `identity` category, so checkpoints never become leaves. */
export const CHECKPOINT_STREAM = 'trailmark-checkpoints';
const CHECKPOINT_EVENT_TYPE = 'SignedCheckpoint';

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The log's checkpoints as a stream of the event store, shared by every service instance on it. Each event's
 * data is the signed note as served; its metadata `{"signedAt": RFC 3339}`. A claim appends with the revision
 * this instance last saw as the expected one, so when two instances sign at once only the first append lands
 * and the other learns it lost. A claim must also grow the size, so the stream's sizes only grow.
 *
 * Notes read back are opened with the log's verifier key: a checkpoint signed by another key is refused.
 */
export class StreamCheckpointClaims implements CheckpointClaims {
  /** The revision of the last checkpoint event this instance read or wrote. */
  private seenRevision: bigint | 'no_stream' = 'no_stream';
  private seenSize: bigint | undefined;
  /** Read and not yet older than what the publisher serves. */
  private unserved: SignedCheckpoint[] = [];

  constructor(
    private readonly store: EventStore,
    private readonly verifierKey: string,
  ) {}

  async claim(checkpoint: SignedCheckpoint): Promise<boolean> {
    if (this.seenSize !== undefined && checkpoint.size <= this.seenSize) return false;
    const event = {
      id: randomUUID(),
      type: CHECKPOINT_EVENT_TYPE,
      data: utf8.encode(checkpoint.note),
      metadata: utf8.encode(JSON.stringify({ signedAt: checkpoint.signedAt })),
    };
    try {
      const result = await this.store.append({ stream: CHECKPOINT_STREAM, expectedRevision: this.seenRevision, events: [event] });
      this.seenRevision = result.nextExpectedRevision;
      this.seenSize = checkpoint.size;
      return true;
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) return false;
      throw error;
    }
  }

  async claimedAfter(after: SignedCheckpoint | undefined): Promise<SignedCheckpoint[]> {
    for (const event of await this.readNew()) {
      const checkpoint = this.open(event);
      if (this.seenSize !== undefined && checkpoint.size <= this.seenSize) {
        throw new Error(`${CHECKPOINT_STREAM} revision ${event.revision} has size ${checkpoint.size}, not above the size before it`);
      }
      this.unserved.push(checkpoint);
      this.seenRevision = event.revision;
      this.seenSize = checkpoint.size;
    }
    this.unserved = this.unserved.filter((checkpoint) => after === undefined || checkpoint.size > after.size);
    return [...this.unserved];
  }

  private async readNew(): Promise<RecordedEvent[]> {
    const fromRevision = this.seenRevision === 'no_stream' ? 0n : this.seenRevision + 1n;
    try {
      return await this.store.readStream(CHECKPOINT_STREAM, { fromRevision });
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  }

  private open(event: RecordedEvent): SignedCheckpoint {
    const note = fromUtf8.decode(event.data);
    let opened: { size: bigint; root: Hash };
    try {
      opened = openCheckpoint(note, this.verifierKey);
    } catch (error) {
      const what = `the checkpoint at revision ${event.revision} of the EventStoreDB stream ${CHECKPOINT_STREAM}`;
      throw new LogKeyMismatchError(what, this.verifierKey, error instanceof Error ? error.message : String(error));
    }
    const { size, root } = opened;
    const { signedAt } = JSON.parse(fromUtf8.decode(event.metadata)) as { signedAt: string };
    return { size, root, note, signedAt };
  }
}
