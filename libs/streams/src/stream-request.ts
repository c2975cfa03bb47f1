import { z } from 'zod';
import { SINK_SECRETS } from './open-sink.js';
import { OUTCOMES, STREAM_FORMATS, type SinkConfig, type StreamFilter, type StreamFormat } from './stream-definition.js';
import { unknownFilterNames } from './stream-filter.js';

/** A stream request that does not hold: the field at fault, and why. */
export class StreamRequestError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const name = z.string().min(1).max(200);
const httpUrl = z
  .string()
  .max(2048)
  .refine((value) => URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol), 'must be an http:// or https:// URL');
const hostName = z.string().min(1).max(253).regex(/^[A-Za-z0-9.:[\]-]+$/, 'must be a host name or an IP address');

const Sink = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('webhook'), url: httpUrl }),
  z.strictObject({
    type: z.literal('syslog'),
    host: hostName,
    port: z.number().int().min(1).max(65_535),
    tls: z.boolean().default(false),
    caPem: z.string().max(65_536).optional(),
    facility: z.number().int().min(0).max(23).default(13),
  }),
  z.strictObject({
    type: z.literal('nats'),
    url: z.string().max(2048).refine((value) => URL.canParse(value) && new URL(value).protocol === 'nats:', 'must be a nats://host:port URL'),
    subject: z.string().min(1).max(255).regex(/^[^\s*>]+$/, 'must be a NATS subject without wildcards'),
  }),
  z.strictObject({
    type: z.literal('splunk_hec'),
    url: httpUrl,
    index: z.string().min(1).max(100).optional(),
    sourcetype: z.string().min(1).max(100).optional(),
    ack: z.boolean().optional(),
  }),
  z.strictObject({ type: z.literal('datadog'), url: httpUrl, service: z.string().min(1).max(100).default('trailmark'), tags: z.string().max(1000).optional() }),
]);

const Filter = z.strictObject({
  actions: z.array(z.string()).max(100).optional(),
  categories: z.array(z.string()).max(10).optional(),
  outcomes: z.array(z.enum(OUTCOMES)).max(3).optional(),
});

const Secret = z.string().min(1).max(4096);
const Start = z.union([z.literal('now'), z.strictObject({ leaf: z.number().int().min(0) })]);

const CreateRequest = z.strictObject({
  name,
  sink: Sink,
  secret: Secret.optional(),
  format: z.enum(STREAM_FORMATS).default('native'),
  filter: Filter.default({}),
  start: Start.default('now'),
  paused: z.boolean().default(false),
});

const ChangeRequest = z.strictObject({
  name: name.optional(),
  sink: Sink.optional(),
  secret: Secret.optional(),
  format: z.enum(STREAM_FORMATS).optional(),
  filter: Filter.optional(),
  paused: z.boolean().optional(),
});

export interface CreateStreamRequest {
  readonly name: string;
  readonly sink: SinkConfig;
  readonly secret?: string;
  readonly format: StreamFormat;
  readonly filter: StreamFilter;
  readonly start: 'now' | { readonly leaf: number };
  readonly paused: boolean;
}

export type ChangeStreamRequest = Partial<Omit<CreateStreamRequest, 'start'>>;

function parsed<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`)).join('');
  const named = field === '' ? 'the body' : field;
  throw new StreamRequestError(field === '' ? 'body' : field, `${named}: ${issue.message}`);
}

/** A POST body, checked: the filter names known actions and categories, CEF only for syslog, each sink its secret. */
export function parseCreateStream(body: unknown): CreateStreamRequest {
  const request = parsed(CreateRequest, body) as CreateStreamRequest;
  checkCombination(request.sink, request.format, request.filter, request.secret !== undefined);
  return request;
}

/** A PATCH body, checked against the stream it changes (`current`). */
export function parseChangeStream(body: unknown, current: { sink: SinkConfig; format: StreamFormat; filter: StreamFilter; hasSecret: boolean }): ChangeStreamRequest {
  const request = parsed(ChangeRequest, body) as ChangeStreamRequest;
  if (Object.keys(request).length === 0) throw new StreamRequestError('body', 'the body changes nothing: name one of name, sink, secret, format, filter, paused');
  const sinkType = request.sink?.type ?? current.sink.type;
  // A new kind of sink needs its own secret: the old one was another system's.
  const hasSecret = request.secret !== undefined || (sinkType === current.sink.type && current.hasSecret);
  checkCombination(request.sink ?? current.sink, request.format ?? current.format, request.filter ?? current.filter, hasSecret);
  return request;
}

function checkCombination(sink: SinkConfig, format: StreamFormat, filter: StreamFilter, hasSecret: boolean): void {
  const unknown = unknownFilterNames(filter);
  if (unknown) throw new StreamRequestError(unknown.field, `${unknown.field}: ${JSON.stringify(unknown.value)} is not in the vocabulary`);
  if (format === 'cef' && sink.type !== 'syslog') throw new StreamRequestError('format', 'format: cef is for syslog sinks; use native or ocsf');
  if (SINK_SECRETS[sink.type] === 'required' && !hasSecret) {
    throw new StreamRequestError('secret', `secret: a ${sink.type} sink needs its ${sink.type === 'splunk_hec' ? 'HEC token' : sink.type === 'webhook' ? 'HMAC key' : 'API key'} in "secret"`);
  }
  if (SINK_SECRETS[sink.type] === 'none' && hasSecret) throw new StreamRequestError('secret', `secret: a ${sink.type} sink takes no secret`);
}
