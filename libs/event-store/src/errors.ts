import type { ExpectedRevision } from './event-store.js';

function describeRevision(revision: ExpectedRevision): string {
  return typeof revision === 'bigint' ? `revision ${revision}` : `'${revision}'`;
}

/** The stream was not in the state the append required; nothing of the request was written. */
export class WrongExpectedVersionError extends Error {
  override readonly name = 'WrongExpectedVersionError';

  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    /** The revision of the stream's last event, or `'no_stream'` when it has none. */
    readonly actual: bigint | 'no_stream',
  ) {
    super(
      `append to stream "${stream}": expected ${describeRevision(expected)}, but ` +
        (actual === 'no_stream' ? 'the stream does not exist' : `the stream is at revision ${actual}`),
    );
  }
}

/** A stream read found no events in the stream. */
export class StreamNotFoundError extends Error {
  override readonly name = 'StreamNotFoundError';

  constructor(readonly stream: string) {
    super(`stream "${stream}" not found: it has no events`);
  }
}

/** An append reused a stored event id in a way that is not an exact retry; nothing of the request was written. */
export class DuplicateEventError extends Error {
  override readonly name = 'DuplicateEventError';

  constructor(
    readonly eventId: string,
    detail = 'not an exact retry of the append that stored it',
  ) {
    super(`event id ${eventId} is already used: ${detail}`);
  }
}

/** The store cannot be reached, or is closed; the operation may be retried later (HTTP maps it to 503). */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
