import type { OperationDoc } from './operations.js';

const tenant = 'the tenant';
const id = 'the stream id';

/** The log streams API (StreamsController), for the OpenAPI document. */
export const STREAM_OPERATIONS: Readonly<Record<string, OperationDoc>> = {
  'StreamsController.list': {
    summary: "List a tenant's log streams",
    description: 'Each with its sink, format, filter, cursor (the next leaf it reads), lag, counts and last error. Never a secret.',
    tags: ['streams'],
    parameters: { tenant },
    responses: { '200': { description: 'the streams' } },
  },
  'StreamsController.create': {
    summary: 'Create a log stream',
    description:
      'Body: `name`, `sink` (webhook, syslog, nats, splunk_hec, datadog), `secret` (write-only: HMAC key, HEC token, API key), ' +
      '`format` (native, ocsf, cef for syslog), `filter` ({actions, categories, outcomes}), `start` ("now" or {"leaf": n}), `paused`. ' +
      'Recorded as `stream.created`. Sinks on loopback, link-local or private addresses are refused unless TRAILMARK_STREAM_ALLOW_PRIVATE=1.',
    tags: ['streams'],
    parameters: { tenant },
    responses: { '201': { description: 'the stream' } },
    errors: [400],
  },
  'StreamsController.get': {
    summary: 'Read a log stream',
    tags: ['streams'],
    parameters: { tenant, id },
    responses: { '200': { description: 'the stream' } },
    errors: [404],
  },
  'StreamsController.change': {
    summary: 'Change, pause or resume a log stream',
    description: 'Any of name, sink, secret, format, filter, paused. Recorded as `stream.changed`, `stream.paused` or `stream.resumed`.',
    tags: ['streams'],
    parameters: { tenant, id },
    responses: { '200': { description: 'the stream' } },
    errors: [400, 404],
  },
  'StreamsController.remove': {
    summary: 'Delete a log stream',
    description: 'Recorded as `stream.deleted`; its cursor and secret are forgotten.',
    tags: ['streams'],
    parameters: { tenant, id },
    responses: { '204': { description: 'deleted' } },
    errors: [404],
  },
  'StreamsController.test': {
    summary: 'Send a test batch',
    description: 'A batch without records whose trailer says `"test": true`; answers whether the receiver took it. Recorded as `stream.tested`.',
    tags: ['streams'],
    parameters: { tenant, id },
    responses: { '200': { description: '{delivered, error?}' } },
    errors: [404],
  },
  'StreamsController.replay': {
    summary: 'Deliver again from a leaf',
    description: 'The cursor goes to `from`; every leaf of the stream from there is sent again. Recorded as `stream.replayed`.',
    tags: ['streams'],
    parameters: { tenant, id, from: { description: 'the leaf index to start from', required: true } },
    responses: { '200': { description: 'the stream' } },
    errors: [400, 404],
  },
};
