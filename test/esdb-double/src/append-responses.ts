/**
 * `AppendResp` as EventStoreDB's `Streams.Append` builds it. The deprecated `*_20_6_0` fields of
 * `wrong_expected_version` are left unset: client 6.2.1 reads only the current ones.
 */
import type { ExpectedRevision } from './append-decision.js';
import { NO_STREAM, type StoredEvent } from './event-log.js';
import { AppendResp, Empty } from './protocol.js';

/**
 * `current_revision` is the revision of the append's last event and `position` its log position (commit and
 * prepare alike: each event is its own implicitly committed record). For a retry, these are the stored event's.
 */
export function appendSuccess(last: StoredEvent): AppendResp {
  const position = new AppendResp.Position()
    .setCommitPosition(String(last.position.commit))
    .setPreparePosition(String(last.position.prepare));
  const success = new AppendResp.Success().setCurrentRevision(String(last.revision)).setPosition(position);
  return new AppendResp().setSuccess(success);
}

/**
 * An append of no events that passes the expected-revision check writes nothing: the stream's revision (or
 * `no_stream`) and `no_position`. (EventStoreDB writes an empty record and answers with its position; nothing can
 * read that record, so the double keeps no position for it.)
 */
export function emptyAppendSuccess(currentRevision: number): AppendResp {
  const success = new AppendResp.Success().setNoPosition(new Empty());
  if (currentRevision === NO_STREAM) success.setNoStream(new Empty());
  else success.setCurrentRevision(String(currentRevision));
  return new AppendResp().setSuccess(success);
}

/** Carries the stream's current revision (or `current_no_stream`) and the expected revision the append sent. */
export function wrongExpectedVersion(currentRevision: number, expected: ExpectedRevision): AppendResp {
  const details = new AppendResp.WrongExpectedVersion();
  if (currentRevision === NO_STREAM) details.setCurrentNoStream(new Empty());
  else details.setCurrentRevision(String(currentRevision));
  switch (expected.kind) {
    case 'any':
      details.setExpectedAny(new Empty());
      break;
    case 'no_stream':
      details.setExpectedNoStream(new Empty());
      break;
    case 'stream_exists':
      details.setExpectedStreamExists(new Empty());
      break;
    case 'exact':
      details.setExpectedRevision(String(expected.revision));
      break;
  }
  return new AppendResp().setWrongExpectedVersion(details);
}
