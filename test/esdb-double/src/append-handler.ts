/**
 * `Streams/Append`: a client-streaming call whose first message is `AppendReq.options` (stream identifier and
 * expected stream revision) and whose next messages are `AppendReq.proposed_message`s (id, `metadata` map with `type`
 * and `content-type`, `custom_metadata`, `data`). The append is decided and written once the client half-closes, in
 * one synchronous step, so it is atomic and concurrent appends are serialised.
 */
import type { ServerReadableStream, ServiceError, sendUnaryData } from '@grpc/grpc-js';
import { decideAppend, type ExpectedRevision } from './append-decision.js';
import { emptyAppendSuccess, appendSuccess, wrongExpectedVersion } from './append-responses.js';
import type { EventLog, ProposedEvent } from './event-log.js';
import type { OpenCalls } from './open-calls.js';
import type { AppendReq, AppendResp } from './protocol.js';
import { invalidArgument, streamNameOf, uuidOf } from './wire.js';

type AppendOptions = NonNullable<ReturnType<AppendReq['getOptions']>>;

export function handleAppend(log: EventLog, openCalls: OpenCalls) {
  return (call: ServerReadableStream<AppendReq, AppendResp>, respond: sendUnaryData<AppendResp>): void => {
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      untrack();
      return true;
    };
    const fail = (error: Partial<ServiceError>): void => {
      if (settle()) respond(error);
    };
    // On stop() the call fails with the status the double ends calls with (UNAVAILABLE).
    const { untrack } = openCalls.track(fail);
    call.on('cancelled', settle);

    let options: AppendOptions | undefined;
    const proposed: ProposedEvent[] = [];
    call.on('data', (request: AppendReq) => {
      try {
        if (options === undefined) options = optionsOf(request);
        else proposed.push(proposedEventOf(request));
      } catch (error) {
        fail(error as Partial<ServiceError>);
      }
    });
    call.on('end', () => {
      if (settled) return;
      if (options === undefined) return fail(invalidArgument('An append starts with its options.'));
      try {
        const response = append(log, options, proposed);
        if (settle()) respond(null, response);
      } catch (error) {
        fail(error as Partial<ServiceError>);
      }
    });
  };
}

function append(log: EventLog, options: AppendOptions, proposed: readonly ProposedEvent[]): AppendResp {
  const streamName = streamNameOf(options.getStreamIdentifier());
  const expected = expectedRevisionOf(options);
  const decision = decideAppend(log, streamName, expected, proposed.map((event) => event.id));
  switch (decision.kind) {
    case 'write': {
      const last = log.append(streamName, proposed).at(-1);
      return last === undefined ? emptyAppendSuccess(log.currentRevision(streamName)) : appendSuccess(last);
    }
    case 'retry':
      return appendSuccess(decision.lastEvent);
    case 'wrong_expected_version':
      return wrongExpectedVersion(decision.currentRevision, expected);
  }
}

function optionsOf(request: AppendReq): AppendOptions {
  const options = request.getOptions();
  if (options === undefined) throw invalidArgument('An append starts with its options.');
  return options;
}

function proposedEventOf(request: AppendReq): ProposedEvent {
  const message = request.getProposedMessage();
  if (message === undefined) throw invalidArgument('After its options, an append sends proposed messages only.');
  const metadata = message.getMetadataMap();
  const type = metadata.get('type');
  const contentType = metadata.get('content-type');
  if (type === undefined || contentType === undefined) {
    throw invalidArgument('A proposed message needs the metadata keys "type" and "content-type".');
  }
  return {
    id: uuidOf(message.getId()),
    type,
    // EventStoreDB keeps only an is-json flag: any other content type reads back as application/octet-stream.
    isJson: contentType === 'application/json',
    data: message.getData_asU8(),
    customMetadata: message.getCustomMetadata_asU8(),
  };
}

function expectedRevisionOf(options: AppendOptions): ExpectedRevision {
  if (options.hasRevision()) return { kind: 'exact', revision: Number(options.getRevision()) };
  if (options.hasNoStream()) return { kind: 'no_stream' };
  if (options.hasStreamExists()) return { kind: 'stream_exists' };
  if (options.hasAny()) return { kind: 'any' };
  throw invalidArgument('An append needs an expected stream revision.');
}
