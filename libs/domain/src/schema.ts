import { z } from 'zod';
import { checkDetailSize } from './detail-size.js';
import { InvalidEventError } from './errors.js';
import { MAX_UUID, NIL_UUID } from './ids.js';
import { ACTION_NAMES, checkTargets } from './vocabulary.js';

/**
 * The request body of POST /v1/events and of each item of a batch (DESIGN.md
 * "Event model"), as a zod v4 schema: the OpenAPI document is generated from it
 * with z.toJSONSchema, and parseIdentityEventInput turns its first issue into an
 * InvalidEventError a person can act on.
 *
 * Limits (string lengths count UTF-16 code units, as JavaScript does): they keep
 * every valid envelope far below the 65,535-byte leaf limit (under 12 KB).
 * Every string, including keys and values inside context, changes and metadata,
 * must be well-formed UTF-16 (no lone surrogates: they have no UTF-8 encoding,
 * so no canonical JSON). Fixed fields refuse every control character (U+0000-U+001F,
 * U+007F-U+009F), which could forge lines or hide text in logs and viewers;
 * free-form changes and metadata allow tab, line feed and carriage return.
 * Identifiers and the reason (`identifier`) also refuse what reorders or hides text without being a
 * control character: bidirectional embeddings, overrides, isolates and marks, the line and paragraph
 * separators, and zero-width characters (a "u_1" and a "u_\u200b1" would look like one actor).
 * The detail (context, changes, metadata, occurredAt) is at most MAX_DETAIL_BYTES as canonical JSON
 * (detail-size.ts); inside changes and metadata, objects hold at most MAX_FREE_FORM_KEYS keys and
 * arrays MAX_FREE_FORM_ITEMS items.
 */

export const MAX_TARGETS = 10;
/** Nesting depth allowed inside changes.before, changes.after and metadata. */
export const MAX_FREE_FORM_DEPTH = 32;
/** Keys of one object inside changes.before, changes.after and metadata. */
export const MAX_FREE_FORM_KEYS = 1000;
/** Items of one array inside changes.before, changes.after and metadata. */
export const MAX_FREE_FORM_ITEMS = 1000;

// C0 controls, DEL and C1 controls.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_BUT_WHITESPACE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function isCleanText(value: string): boolean {
  return !UNPAIRED_SURROGATE.test(value) && !CONTROL.test(value);
}

/** A fixed-field string: 1..max UTF-16 units, well formed, no control characters. */
function text(max: number) {
  return z
    .string()
    .min(1)
    .max(max)
    .refine(isCleanText, { error: 'must not contain control characters or unpaired surrogates' });
}

// Bidi marks (ALM, LRM, RLM), embeddings and overrides (U+202A-U+202E), isolates (U+2066-U+2069), line and
// paragraph separators, zero-width space, non-joiner, joiner, word joiner and the byte order mark.
const INVISIBLE_OR_REORDERING = /[\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]/;

/** A fixed-field string that names or classifies (ids, types, methods, the reason): text() without invisible or reordering characters. */
function identifier(max: number) {
  return text(max).refine((value) => !INVISIBLE_OR_REORDERING.test(value), {
    error: 'must not contain bidirectional controls, line or paragraph separators, or zero-width characters',
  });
}

/** An enum whose refusal lists its values: 'must be one of "a", "b"'. */
function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of ${values.map((value) => JSON.stringify(value)).join(', ')}` });
}

const TENANT = /^[a-z0-9][a-z0-9._-]*$/;
const TARGET_TYPE = /^[a-z0-9_.-]+$/;

/** RFC 9562 UUID; spelled in lowercase once parsed, so one id has one spelling in leaves and the store. */
const EventIdSchema = z
  .uuid({ error: 'must be a UUID (RFC 9562), e.g. 0190f1c4-7b7e-7c4a-9e2f-3b1d5c6a7e8f' })
  .toLowerCase()
  // The Nil and Max UUIDs are placeholders: as ids, every client that forgot to set one would share it.
  .refine((id) => id !== NIL_UUID && id !== MAX_UUID, { error: 'must not be the Nil or Max UUID: send a real id, or none' });

export const ActorSchema = z.strictObject({
  type: oneOf(['user', 'service', 'api_key', 'system']),
  id: identifier(256),
  authMethod: identifier(64).optional(),
});

export const TargetSchema = z.strictObject({
  type: text(64).regex(TARGET_TYPE, { error: 'must contain only lowercase letters, digits, "_", "." and "-"' }),
  id: identifier(256),
});

export const ContextSchema = z.strictObject({
  ip: z.union([z.ipv4(), z.ipv6()], { error: 'must be an IPv4 or IPv6 address' }).optional(),
  userAgent: text(1024).optional(),
  requestId: identifier(128).optional(),
  sessionId: identifier(128).optional(),
  correlationId: identifier(128).optional(),
  geo: z
    .strictObject({
      country: z.string().regex(/^[A-Z]{2}$/, { error: 'must be an ISO 3166-1 alpha-2 country code, e.g. "FR"' }),
      region: text(128).optional(),
      city: text(128).optional(),
      // Where the IP locates, in decimal degrees: what the impossible-travel alert measures speeds with.
      latitude: z.number().min(-90).max(90).optional(),
      longitude: z.number().min(-180).max(180).optional(),
    })
    .optional(),
});

type PathSegment = string | number;
interface FreeFormProblem {
  path: PathSegment[];
  message: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function freeFormTextProblem(value: string): string | undefined {
  if (UNPAIRED_SURROGATE.test(value)) return 'must not contain unpaired surrogates';
  if (CONTROL_BUT_WHITESPACE.test(value)) return 'must not contain control characters other than tab, line feed and carriage return';
  return undefined;
}

/**
 * The first reason `value` is not plain JSON data we can canonicalize: a value that
 * is not a string, finite number, boolean, null, array or plain object; a bad
 * string or key; nesting deeper than MAX_FREE_FORM_DEPTH. Recursion stops at that
 * depth, so a hostile body cannot exhaust the stack.
 */
function freeFormProblem(value: unknown, path: PathSegment[], depth: number): FreeFormProblem | undefined {
  if (value === null || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') {
    return Number.isFinite(value) ? undefined : { path, message: 'must be a finite number' };
  }
  if (typeof value === 'string') {
    const message = freeFormTextProblem(value);
    return message === undefined ? undefined : { path, message };
  }
  const container = Array.isArray(value) || isPlainObject(value);
  if (!container) return { path, message: 'must be a JSON value (string, number, boolean, null, array or object)' };
  if (depth >= MAX_FREE_FORM_DEPTH) return { path, message: `nests deeper than ${MAX_FREE_FORM_DEPTH} levels` };
  if (Array.isArray(value)) {
    if (value.length > MAX_FREE_FORM_ITEMS) return { path, message: `must hold at most ${MAX_FREE_FORM_ITEMS} items, not ${value.length}` };
    for (let i = 0; i < value.length; i++) {
      const problem = freeFormProblem(value[i], [...path, i], depth + 1);
      if (problem) return problem;
    }
    return undefined;
  }
  const entries = Object.entries(value);
  if (entries.length > MAX_FREE_FORM_KEYS) return { path, message: `must hold at most ${MAX_FREE_FORM_KEYS} keys, not ${entries.length}` };
  for (const [key, child] of entries) {
    const keyMessage = freeFormTextProblem(key);
    if (keyMessage !== undefined) return { path: [...path, key], message: `has a key that ${keyMessage}` };
    const problem = freeFormProblem(child, [...path, key], depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

/** A JSON object of the client's own shape (changes.before/after, metadata). */
function freeFormObject() {
  return z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
    const problem = freeFormProblem(value, [], 1);
    if (problem) ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
  });
}

export const ChangesSchema = z.strictObject({
  before: freeFormObject().optional(),
  after: freeFormObject().optional(),
});

/** RFC 3339 with a "Z" or "+hh:mm" offset; any number of fractional digits. */
const OccurredAtSchema = z.iso.datetime({
  offset: true,
  error: 'must be an RFC 3339 date-time with a time zone offset, e.g. 2026-11-22T09:30:00.123Z',
});

export const IdentityEventInputSchema = z.strictObject({
  id: EventIdSchema.optional(),
  tenant: text(64).regex(TENANT, {
    error: 'must start with a lowercase letter or digit and contain only lowercase letters, digits, ".", "_" and "-"',
  }),
  action: z.enum(ACTION_NAMES, { error: 'must be an action of the vocabulary, e.g. "user.login"' }),
  outcome: oneOf(['success', 'failure', 'error']),
  reason: identifier(256).optional(),
  actor: ActorSchema,
  targets: z.array(TargetSchema).max(MAX_TARGETS).default([]),
  occurredAt: OccurredAtSchema.optional(),
  context: ContextSchema.optional(),
  changes: ChangesSchema.optional(),
  metadata: freeFormObject().optional(),
});

/** A validated event body; `targets` is always present ([] when the client sent none). */
export type IdentityEventInput = z.output<typeof IdentityEventInputSchema>;
export type Actor = z.output<typeof ActorSchema>;
export type Target = z.output<typeof TargetSchema>;
export type EventContext = z.output<typeof ContextSchema>;
export type EventChanges = z.output<typeof ChangesSchema>;
export type Outcome = IdentityEventInput['outcome'];

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** ["targets", 3, "id"] → "targets[3].id"; keys that are not plain names are quoted: metadata["a.b"]. */
export function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let value = body;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

/** A sentence about the issue, without the field name: "must be at most 256 characters". */
function describeIssue(issue: z.core.$ZodIssue, body: unknown): string {
  switch (issue.code) {
    case 'invalid_type': {
      const received = valueAt(body, issue.path);
      if (received === undefined) return 'is required';
      const expected = issue.expected === 'record' ? 'object' : issue.expected;
      return `must be ${expected === 'array' || expected === 'object' ? 'an' : 'a'} ${expected}, not ${typeOf(received)}`;
    }
    case 'too_big': {
      const unit = issue.origin === 'array' ? 'items' : 'characters';
      return `must be at most ${String(issue.maximum)} ${unit}`;
    }
    case 'too_small': {
      if (issue.origin === 'string' && issue.minimum === 1) return 'must not be empty';
      const unit = issue.origin === 'array' ? 'items' : 'characters';
      return `must be at least ${String(issue.minimum)} ${unit}`;
    }
    default:
      // Messages given in the schema: enums, formats, patterns, refinements, unions.
      return issue.message;
  }
}

/**
 * Validates an event body. Throws InvalidEventError whose `field` is the full path
 * of the first problem, prefixed by `pathPrefix` ("events[3]" for a batch item):
 * field "events[3].actor.id", message "events[3].actor.id must be at most 256 characters".
 * Schema problems come in the schema's field order, unknown fields after them, then
 * the action's target expectations (vocabulary.ts).
 */
export function parseIdentityEventInput(body: unknown, pathPrefix = ''): IdentityEventInput {
  const result = IdentityEventInputSchema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      const field = formatPath(pathPrefix, [...issue.path, issue.keys[0]!]);
      throw new InvalidEventError(field, `${field} is not a known field`);
    }
    const field = formatPath(pathPrefix, issue.path);
    const subject = field === '' ? 'the event' : field;
    if (issue.path.length === 0 && issue.code === 'invalid_type') {
      throw new InvalidEventError(field, `${subject} must be a JSON object, not ${typeOf(body)}`);
    }
    throw new InvalidEventError(field, `${subject} ${describeIssue(issue, body)}`);
  }
  checkTargets(result.data.action, result.data.targets, pathPrefix);
  checkDetailSize(result.data, pathPrefix);
  return result.data;
}
