import {
  CancelledError,
  DeadlineExceededError,
  NotLeaderError,
  StreamNotFoundError as EsdbStreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
} from '@eventstore/db-client';
import { DuplicateEventError, StoreUnavailableError, StreamNotFoundError, WrongExpectedVersionError } from '../errors.js';
import type { AppendRequest } from '../event-store.js';

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
export function toPortError(error: unknown, stream: string, append: AppendRequest | undefined): unknown {
  if (error instanceof EsdbWrongExpectedVersionError && append !== undefined) {
    // With 'any' no revision can be wrong: EventStoreDB answers so when the ids match stored events only in part.
    const first = append.events[0];
    if (append.expectedRevision === 'any' && first !== undefined) {
      return new DuplicateEventError(first.id, `the append reuses ids stored in stream "${stream}" but is not an exact retry`);
    }
    const actual = typeof error.actualVersion === 'bigint' ? error.actualVersion : 'no_stream';
    return new WrongExpectedVersionError(stream, append.expectedRevision, actual);
  }
  if (error instanceof EsdbStreamNotFoundError) return new StreamNotFoundError(stream);
  if (isTransient(error)) {
    return new StoreUnavailableError(`EventStoreDB is unreachable: ${(error as Error).message}`, { cause: error });
  }
  return error;
}
