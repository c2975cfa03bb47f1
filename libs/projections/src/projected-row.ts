import type { DetailDocument, Envelope } from '@trailmark/domain';
import { roleChangesOf, type RoleChange } from './access.js';
import { foldText, matchKeys } from './event-filter.js';
import { projected, type ProjectedEvent } from './projected-event.js';
import { ProjectionConflictError, type ProjectionState } from './read-model-store.js';

/**
 * The columns both adapters store for an event, computed once here so that what is indexed, and how, is the
 * same in SQLite and PostgreSQL.
 */
export interface ProjectedRow {
  readonly leafIndex: bigint;
  readonly id: string;
  readonly tenant: string;
  readonly time: string;
  readonly action: string;
  readonly outcome: string;
  readonly actorType: string;
  readonly actorId: string;
  readonly reason: string | null;
  /** foldText(reason): the text filter is a substring test on it. */
  readonly reasonFolded: string | null;
  readonly requestId: string | null;
  readonly correlationId: string | null;
  readonly leaf: Uint8Array;
  /** JSON of the detail document, or null when the event has none. */
  readonly detail: string | null;
  /** Distinct keys the actor filter matches (matchKeys). */
  readonly actorKeys: readonly string[];
  /** Distinct keys the target filter matches, over every target. */
  readonly targetKeys: readonly string[];
  readonly roleChanges: readonly RoleChange[];
}

export function rowOf(event: ProjectedEvent): ProjectedRow {
  const { envelope } = event;
  const context = event.detail?.context;
  return {
    leafIndex: event.leafIndex,
    id: envelope.id,
    tenant: envelope.tenant,
    time: envelope.time,
    action: envelope.action,
    outcome: envelope.outcome,
    actorType: envelope.actor.type,
    actorId: envelope.actor.id,
    reason: envelope.reason ?? null,
    reasonFolded: envelope.reason === undefined ? null : foldText(envelope.reason),
    requestId: context?.requestId ?? null,
    correlationId: context?.correlationId ?? null,
    leaf: event.leaf,
    detail: event.detail === undefined ? null : JSON.stringify(event.detail),
    actorKeys: matchKeys(envelope.actor),
    targetKeys: [...new Set(envelope.targets.flatMap(matchKeys))],
    roleChanges: roleChangesOf(envelope),
  };
}

/**
 * The event of a stored row. The leaf was parsed strictly (parseEnvelope) before it was stored, so a plain
 * JSON.parse reads it back: an export of a million rows does not validate a million envelopes again.
 */
export function eventOf(leafIndex: bigint, leaf: Uint8Array, detail: string | null): ProjectedEvent {
  // Drivers hand back Buffers; callers get plain Uint8Arrays whichever database answered.
  const bytes = new Uint8Array(leaf.buffer, leaf.byteOffset, leaf.byteLength);
  const envelope = JSON.parse(decoder.decode(bytes)) as Envelope;
  return projected(leafIndex, envelope, bytes, detail === null ? undefined : (JSON.parse(detail) as DetailDocument));
}

const decoder = new TextDecoder();

/** Refuses a batch that does not continue the stored leaves one by one (see ReadModelStore.apply). */
export function checkContinues(batch: readonly ProjectedEvent[], state: ProjectionState): void {
  const first = batch[0];
  if (first !== undefined && first.leafIndex !== state.leafCount) throw new ProjectionConflictError(state.leafCount, first.leafIndex);
  batch.forEach((event, i) => {
    if (event.leafIndex !== state.leafCount + BigInt(i)) {
      throw new RangeError(`a batch holds consecutive leaves: leaf ${event.leafIndex} at offset ${i} follows leaf ${state.leafCount}`);
    }
  });
}
