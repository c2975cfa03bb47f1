import {
  CancelledError,
  DeadlineExceededError,
  NotLeaderError,
  StreamNotFoundError as EsdbStreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
} from '@eventstore/db-client';
import { DuplicateEventError, StoreUnavailableError, StreamNotFoundError, WrongExpectedVersionError } from '../errors.js';
import type { ExpectedRevision } from '../event-store.js';

const GRPC_UNAVAILABLE = 14;

/** The server could not be reached or answered that it cannot serve now: worth retrying later. */
export function isTransient(error: unknown): boolean {
  return (
    error instanceof UnavailableError ||
    error instanceof DeadlineExceededError ||
    error instanceof NotLeaderError ||
    (error instanceof CancelledError && !/cancelled on client/i.test(error.message)) ||
    // The client passes on gRPC's own error (UNAVAILABLE, code 14) when it cannot even open a channel, and a
    // plain Error when no node of a cluster answered its gossip (all restarting, an election, the network).
    (error instanceof Error && ((error as { code?: unknown }).code === GRPC_UNAVAILABLE || /^Failed to discover after/.test(error.message)))
  );
}

/** Translates the client's errors into the port's, so callers never see @eventstore/db-client types. */
export function toPortError(error: unknown, stream: string, expected: ExpectedRevision, firstEventId: string | undefined): unknown {
  if (error instanceof EsdbWrongExpectedVersionError) {
    // With 'any' no revision can be wrong: EventStoreDB answers so when the ids match stored events only in part.
    if (expected === 'any' && firstEventId !== undefined) {
      return new DuplicateEventError(firstEventId, `the append reuses ids stored in stream "${stream}" but is not an exact retry`);
    }
    const actual = typeof error.actualVersion === 'bigint' ? error.actualVersion : 'no_stream';
    return new WrongExpectedVersionError(stream, expected, actual);
  }
  if (error instanceof EsdbStreamNotFoundError) return new StreamNotFoundError(stream);
  if (isTransient(error)) {
    return new StoreUnavailableError(`EventStoreDB is unreachable: ${(error as Error).message}`, { cause: error });
  }
  return error;
}
