/** Small conversions between protocol messages and the double's values. */
import { status, type ServiceError } from '@grpc/grpc-js';
import type { LogPosition } from './event-log.js';
import { StreamIdentifier, UUID } from './protocol.js';

/** The status EventStoreDB answers a malformed request with (`RpcExceptions.InvalidArgument`). */
export function invalidArgument(details: string): Partial<ServiceError> {
  return { code: status.INVALID_ARGUMENT, details };
}

export function streamNameOf(identifier: InstanceType<typeof StreamIdentifier> | undefined): string {
  if (identifier === undefined) throw invalidArgument('A stream identifier is required.');
  return Buffer.from(identifier.getStreamName_asU8()).toString('utf8');
}

export function streamIdentifier(streamName: string): InstanceType<typeof StreamIdentifier> {
  return new StreamIdentifier().setStreamName(Buffer.from(streamName, 'utf8'));
}

/**
 * The client sends event ids in the UUID message's string form; the structured form (two int64 halves), which other
 * clients may use, is not implemented.
 */
export function uuidOf(uuid: InstanceType<typeof UUID> | undefined): string {
  const id = uuid?.getString() ?? '';
  if (id === '') throw invalidArgument('Event ids must use the string form of the UUID message.');
  return id.toLowerCase();
}

/** The string form, which is what the client asks for (`ReadReq.options.uuid_option = string`). */
export function uuidMessage(id: string): InstanceType<typeof UUID> {
  return new UUID().setString(id);
}

/** Positions and revisions are uint64 on the wire, carried as decimal strings by the generated code. */
export function positionOf(message: { getCommitPosition(): string; getPreparePosition(): string }): LogPosition {
  return { commit: Number(message.getCommitPosition()), prepare: Number(message.getPreparePosition()) };
}
