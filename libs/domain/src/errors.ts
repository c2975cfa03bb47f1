/**
 * The domain's refusals. Each carries a stable `code` so the HTTP layer can map it
 * to a status and to `{"error":{"code","message","details"}}` without string matching.
 */

/** The event body breaks the schema or the vocabulary. `field` is the full path of the first problem. */
export class InvalidEventError extends Error {
  readonly code = 'invalid_event';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidEventError';
  }
}

/** The event carries a password, token, key... under a known name. Secrets are never recorded. */
export class SecretFieldError extends Error {
  readonly code = 'secret_field';
  constructor(readonly paths: readonly string[]) {
    super(`the event carries secrets, which are never recorded; remove ${paths.join(', ')}`);
    this.name = 'SecretFieldError';
  }
}

/** The canonical envelope would exceed the 65,535-byte leaf limit of DESIGN.md. */
export class LeafTooLargeError extends Error {
  readonly code = 'leaf_too_large';
  constructor(readonly bytes: number) {
    super(`the event envelope is ${bytes} bytes as canonical JSON; a leaf is at most 65535 bytes`);
    this.name = 'LeafTooLargeError';
  }
}

/** The detail (context, changes, metadata, occurredAt) exceeds its canonical size limit; `field` is its largest part. */
export class DetailTooLargeError extends Error {
  readonly code = 'detail_too_large';
  constructor(
    readonly field: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`the detail is ${bytes} bytes as canonical JSON, above its limit of ${limit} bytes; its largest part is ${field}`);
    this.name = 'DetailTooLargeError';
  }
}

/** An event id was reused for different content (an exact retry is not a conflict). */
export class EventIdConflictError extends Error {
  readonly code = 'event_id_conflict';
  constructor(readonly id: string) {
    super(`event ${id} was already recorded with different content`);
    this.name = 'EventIdConflictError';
  }
}

/** Bytes read back from the store are not a document this package wrote: corruption or tampering. */
export class StoredEventFormatError extends Error {
  readonly code = 'stored_event_format';
  constructor(message: string) {
    super(message);
    this.name = 'StoredEventFormatError';
  }
}

/**
 * Recording failed after some of the request's events may be in the log: on a store that commits one stream at a
 * time and may not say whether a failed append was stored (EventStoreDB), or after the append committed but before
 * the sequencer integrated the events (it failed, or stopped). `ids` are the ids its events were given, in order;
 * sending the request again with them completes it without storing an event twice.
 */
export class RecordingInterruptedError extends Error {
  constructor(
    readonly ids: readonly string[],
    override readonly cause: unknown,
  ) {
    super('some of these events may be stored: send the request again with the ids in details.ids to complete it without duplicates');
    this.name = 'RecordingInterruptedError';
  }
}
