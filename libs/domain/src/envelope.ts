import { sha256 } from '@noble/hashes/sha2.js';
import { encodeBase64 } from '@trailmark/proofs';
import canonicalize from 'canonicalize';
import { z } from 'zod';
import { LeafTooLargeError, StoredEventFormatError } from './errors.js';
import { storeEventId } from './ids.js';
import { randomBytes } from './random-pool.js';
import { ActorSchema, type IdentityEventInput, type Target } from './schema.js';
import type { Action } from './vocabulary.js';
import { ACTION_NAMES } from './vocabulary.js';

/**
 * The leaf of an event (DESIGN.md "Formats"): RFC 8785 (JCS) canonical JSON of
 *
 *   {"v":1,"id":"<uuid>","tenant":"<tenant>","time":"<server time>","action":"<action>",
 *    "outcome":"success|failure|error","reason":"<optional>",
 *    "actor":{"type":"...","id":"...","authMethod":"<optional>"},
 *    "targets":[{"type":"...","id":"..."}, ...],
 *    "detail":"<base64 SHA-256(salt || JCS(detail document))>"}   (absent when there is no detail)
 *
 * The detail document {context?, changes?, metadata?, occurredAt?} may carry personal
 * data, so the leaf holds only a salted commitment to it: erasing the detail and its
 * salt later leaves the leaf, its hash and every proof intact, and the random salt
 * stops anyone from confirming a guessed detail against the commitment.
 */

export const ENVELOPE_VERSION = 1;
/** DESIGN.md: a leaf is at most 65,535 bytes (it fits a 16-bit length, as in tlog tiles' entry bundles). */
export const MAX_LEAF_BYTES = 65_535;
export const DETAIL_SALT_BYTES = 16;
/** The event-store stream category (DESIGN.md): `$ce-identity` gathers every identity stream. */
export const IDENTITY_STREAM_CATEGORY = 'identity';
/** What every identity stream's name starts with: leaf i is the i-th event of these streams in the store's order. */
export const IDENTITY_STREAM_PREFIX = `${IDENTITY_STREAM_CATEGORY}-`;

export interface EnvelopeActor {
  readonly type: IdentityEventInput['actor']['type'];
  readonly id: string;
  readonly authMethod?: string;
}

export interface Envelope {
  readonly v: 1;
  readonly id: string;
  readonly tenant: string;
  readonly time: string;
  readonly action: Action;
  readonly outcome: IdentityEventInput['outcome'];
  readonly reason?: string;
  readonly actor: EnvelopeActor;
  readonly targets: readonly Target[];
  readonly detail?: string;
}

/** What the leaf commits to without containing it. Absent parts are omitted. */
export interface DetailDocument {
  readonly context?: IdentityEventInput['context'];
  readonly changes?: IdentityEventInput['changes'];
  readonly metadata?: Record<string, unknown>;
  readonly occurredAt?: string;
}

export interface PreparedEvent {
  readonly id: string;
  readonly tenant: string;
  /** The id the event is filed under in the event store: storeEventId(tenant, id). */
  readonly storeId: string;
  readonly stream: string;
  readonly envelope: Envelope;
  /** JCS(envelope) as UTF-8: the leaf the Merkle tree hashes. */
  readonly leaf: Uint8Array;
  readonly detail?: {
    readonly salt: Uint8Array;
    readonly document: DetailDocument;
    /** JCS(document): computed once, for the commitment and for the stored metadata. */
    readonly canonical: Uint8Array;
  };
}

const utf8 = new TextEncoder();

/** RFC 8785 canonical JSON of `value`, as UTF-8 bytes. */
export function canonicalJson(value: unknown): Uint8Array {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON representation');
  return utf8.encode(text);
}

/** base64(SHA-256(salt || JCS(detail))): the `detail` field of the envelope. */
export function detailCommitment(salt: Uint8Array, detail: object): string {
  return commitTo(salt, canonicalJson(detail));
}

function commitTo(salt: Uint8Array, canonicalDetail: Uint8Array): string {
  return encodeBase64(sha256.create().update(salt).update(canonicalDetail).digest());
}

/**
 * Whether `input` repeats a stored event exactly (an idempotent retry): prepared with the stored
 * event's id, time and salt it must give the stored leaf byte for byte, which covers every envelope
 * field and, through the salted commitment, the detail. Nothing but the stored leaf and salt is
 * needed, and nothing stored lets anyone test a guessed detail without the salt.
 */
export function isRetryOf(input: IdentityEventInput, storedLeaf: Uint8Array, storedSalt: Uint8Array | undefined): boolean {
  const stored = parseEnvelope(storedLeaf);
  if (input.id !== stored.id || (stored.detail === undefined) !== (detailOf(input) === undefined)) return false;
  const again = prepareEvent(input, stored.time, stored.id, storedSalt ?? new Uint8Array(DETAIL_SALT_BYTES)).leaf;
  return again.length === storedLeaf.length && again.every((byte, i) => byte === storedLeaf[i]);
}

/** The detail document of an input, or undefined when it has none of the four parts. */
export function detailOf(input: IdentityEventInput): DetailDocument | undefined {
  const { context, changes, metadata, occurredAt } = input;
  if (context === undefined && changes === undefined && metadata === undefined && occurredAt === undefined) return undefined;
  return {
    ...(context !== undefined && { context }),
    ...(changes !== undefined && { changes }),
    ...(metadata !== undefined && { metadata }),
    ...(occurredAt !== undefined && { occurredAt }),
  };
}

/** The event's subject (DESIGN.md): its first target, else its actor. */
export function subjectOf(input: Pick<IdentityEventInput, 'targets' | 'actor'>): { type: string; id: string } {
  const first = input.targets[0];
  return first ? { type: first.type, id: first.id } : { type: input.actor.type, id: input.actor.id };
}

/**
 * Escapes "%" and "." so that "." separates exactly three parts: tenant "a.b" with
 * type "c" and tenant "a" with type "b.c" must not share a stream, and the stream
 * prefix of tenant "acme" must not match the streams of tenant "acme.eu".
 */
function streamPart(part: string): string {
  return part.replaceAll('%', '%25').replaceAll('.', '%2E');
}

/** `identity-<tenant>.<subject type>.<subject id>`, each part with "%" and "." percent-escaped. */
export function streamFor(tenant: string, subject: { readonly type: string; readonly id: string }): string {
  return `${tenantStreamPrefix(tenant)}${streamPart(subject.type)}.${streamPart(subject.id)}`;
}

/** The prefix shared by every stream of one tenant, and of no other tenant's. */
export function tenantStreamPrefix(tenant: string): string {
  return `${IDENTITY_STREAM_CATEGORY}-${streamPart(tenant)}.`;
}

/** "2026-11-22T09:30:00.123456Z": what ServerClock.now() returns. */
const SERVER_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const LOWERCASE_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function randomSalt(): Uint8Array {
  return randomBytes(DETAIL_SALT_BYTES);
}

/**
 * Builds the envelope, leaf, detail commitment and stream of a
 * validated input. `time` comes from ServerClock; `id` is input.id when the client
 * sent one, else newEventId(). `salt` is for tests and for re-preparing an event
 * whose salt is stored; by default a fresh random one is drawn (unused without detail).
 * Throws LeafTooLargeError when the leaf exceeds MAX_LEAF_BYTES.
 */
export function prepareEvent(input: IdentityEventInput, time: string, id: string, salt: Uint8Array = randomSalt()): PreparedEvent {
  if (!SERVER_TIME.test(time)) throw new TypeError(`server time ${JSON.stringify(time)} is not RFC 3339 UTC with microseconds`);
  if (!LOWERCASE_UUID.test(id)) throw new TypeError(`event id ${JSON.stringify(id)} is not a lowercase UUID`);
  if (input.id !== undefined && input.id !== id) throw new TypeError(`event id ${id} differs from the input's id ${input.id}`);
  if (salt.length !== DETAIL_SALT_BYTES) throw new TypeError(`a detail salt is ${DETAIL_SALT_BYTES} bytes, not ${salt.length}`);

  const document = detailOf(input);
  const canonicalDetail = document && canonicalJson(document);
  const { type, id: actorId, authMethod } = input.actor;
  const envelope: Envelope = {
    v: ENVELOPE_VERSION,
    id,
    tenant: input.tenant,
    time,
    action: input.action,
    outcome: input.outcome,
    ...(input.reason !== undefined && { reason: input.reason }),
    actor: { type, id: actorId, ...(authMethod !== undefined && { authMethod }) },
    targets: input.targets.map((target) => ({ type: target.type, id: target.id })),
    ...(canonicalDetail !== undefined && { detail: commitTo(salt, canonicalDetail) }),
  };
  const leaf = canonicalJson(envelope);
  if (leaf.length > MAX_LEAF_BYTES) throw new LeafTooLargeError(leaf.length);
  return {
    id,
    tenant: input.tenant,
    storeId: storeEventId(input.tenant, id),
    stream: streamFor(input.tenant, subjectOf(input)),
    envelope,
    leaf,
    ...(document !== undefined && canonicalDetail !== undefined && { detail: { salt: salt.slice(), document, canonical: canonicalDetail } }),
  };
}

/** Which event of which tenant a leaf is: the key idempotency and reads by id use (ids are per tenant). */
export interface EventKey {
  readonly tenant: string;
  readonly id: string;
}

/**
 * The tenant and id a leaf names, or undefined when the bytes are no envelope. A plain JSON.parse:
 * the sequencer runs it on every leaf as it integrates it, where parseEnvelope's full check would cost
 * more than the rest of the integration. The stored leaf was built by prepareEvent and checked on read.
 */
export function eventKeyOf(leaf: Uint8Array): EventKey | undefined {
  try {
    const { tenant, id } = JSON.parse(utf8Decoder.decode(leaf)) as { tenant?: unknown; id?: unknown };
    return typeof tenant === 'string' && typeof id === 'string' ? { tenant, id } : undefined;
  } catch {
    return undefined;
  }
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

const EnvelopeSchema = z.strictObject({
  v: z.literal(ENVELOPE_VERSION),
  id: z.string().regex(LOWERCASE_UUID),
  tenant: z.string().min(1),
  time: z.string().regex(SERVER_TIME),
  action: z.enum(ACTION_NAMES),
  outcome: z.enum(['success', 'failure', 'error']),
  reason: z.string().optional(),
  // The shapes of actor and targets, not today's rules for their text: a leaf recorded under older rules stays readable.
  actor: z.strictObject({ type: ActorSchema.shape.type, id: z.string(), authMethod: z.string().optional() }),
  targets: z.array(z.strictObject({ type: z.string(), id: z.string() })),
  detail: z.string().optional(),
});

/**
 * Reads a leaf back into its envelope. The bytes must be exactly JCS of a valid
 * envelope, so a leaf re-spelled in any other way (key order, whitespace, escapes)
 * is refused rather than silently hashed as something else. Throws StoredEventFormatError.
 */
export function parseEnvelope(leaf: Uint8Array): Envelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(leaf));
  } catch (error) {
    throw new StoredEventFormatError(`leaf is not UTF-8 JSON: ${(error as Error).message}`);
  }
  const result = EnvelopeSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new StoredEventFormatError(`leaf is not an envelope: ${issue.path.join('.') || 'the value'}: ${issue.message}`);
  }
  const canonical = canonicalJson(result.data);
  if (canonical.length !== leaf.length || canonical.some((byte, i) => byte !== leaf[i])) {
    throw new StoredEventFormatError('leaf is not in RFC 8785 canonical form');
  }
  return result.data as Envelope;
}
