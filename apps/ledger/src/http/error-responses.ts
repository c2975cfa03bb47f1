import { HttpException } from '@nestjs/common';
import {
  RecordingInterruptedError,
  DetailTooLargeError,
  EventIdConflictError,
  InvalidEventError,
  LeafTooLargeError,
  SecretFieldError,
  TenantNotAllowedError,
} from '@trailmark/domain';
import { NoCheckpointServedError, ProofRangeError, PublisherStoppedError } from '@trailmark/checkpoint';
import { ProjectorStoppedError } from '@trailmark/projections';
import { SequencerStoppedError } from '@trailmark/sequencer';
import { DuplicateEventError, StoreUnavailableError } from '@trailmark/event-store';
import { CheckpointTimeoutError } from '../core/ledger-core.js';
import { ApiError } from './api-error.js';

const CODE_OF_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  503: 'unavailable',
};

/** What any error thrown while serving a request answers. Errors not listed here are 500s. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof RecordingInterruptedError) {
    const cause = toApiError(error.cause);
    if (cause.status === 500) return cause;
    return new ApiError(cause.status, cause.code, `${cause.message}; ${error.message}`, { ...cause.details, ids: error.ids });
  }
  if (error instanceof InvalidEventError) return new ApiError(400, error.code, error.message, { field: error.field });
  // `field` (the first path) as in every other refusal of a body field; `fields` lists them all.
  if (error instanceof SecretFieldError) return new ApiError(400, error.code, error.message, { field: error.paths[0], fields: error.paths });
  if (error instanceof TenantNotAllowedError) return new ApiError(403, 'forbidden', error.message, { field: error.field });
  if (error instanceof LeafTooLargeError) return new ApiError(413, error.code, error.message, { bytes: error.bytes, limit: 65_535 });
  if (error instanceof DetailTooLargeError) {
    return new ApiError(413, error.code, error.message, { field: error.field, bytes: error.bytes, limit: error.limit });
  }
  if (error instanceof EventIdConflictError) return new ApiError(409, error.code, error.message, { id: error.id });
  if (error instanceof ProofRangeError) return new ApiError(400, 'bad_request', error.message, { parameter: error.parameter });
  if (error instanceof NoCheckpointServedError) return new ApiError(503, 'unavailable', error.message);
  if (error instanceof StoreUnavailableError) return new ApiError(503, 'store_unavailable', error.message);
  if (
    error instanceof SequencerStoppedError ||
    error instanceof PublisherStoppedError ||
    error instanceof CheckpointTimeoutError ||
    error instanceof ProjectorStoppedError
  ) {
    return new ApiError(503, 'unavailable', error.message);
  }
  if (error instanceof DuplicateEventError) return new ApiError(409, 'event_id_conflict', error.message, { id: error.eventId });
  if (error instanceof HttpException) {
    // The body parser's own refusals (json-body.ts) are ApiErrors that Nest wraps on their way here.
    if (error.cause instanceof ApiError) return error.cause;
    // Fastify's own refusals (unparsable JSON, wrong content type, body too large) arrive wrapped, their code as the cause.
    const status = error.getStatus();
    const cause = (error.cause as { code?: string } | undefined)?.code;
    const code = cause !== undefined && JSON_BODY_ERRORS.has(cause) ? 'invalid_json' : (CODE_OF_STATUS[status] ?? 'error');
    // Fastify says only "Unsupported Media Type" for a body type it has no parser for.
    const message = status === 415 ? 'send a JSON body with Content-Type: application/json' : error.message;
    return new ApiError(status, code, message);
  }
  return new ApiError(500, 'internal', 'internal error; the request id in the logs tells more');
}

const JSON_BODY_ERRORS = new Set(['FST_ERR_CTP_INVALID_JSON_BODY', 'FST_ERR_CTP_EMPTY_JSON_BODY']);

export function errorBody(error: ApiError): { error: { code: string; message: string; details: Record<string, unknown> } } {
  return { error: { code: error.code, message: error.message, details: error.details } };
}
