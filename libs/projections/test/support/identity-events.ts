// Real identity events for the read-model tests: validated inputs, envelopes and leaves built by the domain, appended
// to a real SqliteEventStore exactly as the ledger appends them.
import Database from 'better-sqlite3';
import {
  IDENTITY_EVENT_TYPE,
  encodeEventMetadata,
  formatServerTime,
  newEventId,
  parseIdentityEventInput,
  prepareEvent,
  type DetailDocument,
  type Envelope,
  type PreparedEvent,
} from '@trailmark/domain';
import { SqliteEventStore, type EventStore } from '@trailmark/event-store';

/** An event as the test knows it: what it appended, and the leaf index it must get (its rank among identity events). */
export interface KnownEvent {
  readonly leafIndex: bigint;
  readonly envelope: Envelope;
  readonly leaf: Uint8Array;
  readonly detail?: DetailDocument;
}

export function memoryStore(): SqliteEventStore {
  return new SqliteEventStore(new Database(':memory:'));
}

/** Microseconds of 2026-03-01T00:00:00Z: every generated time is after it. */
export const EPOCH = 1_772_323_200_000_000n;

export const time = (micros: bigint | number) => formatServerTime(EPOCH + BigInt(micros));

/**
 * Appends identity events in order (each body with its server time) and returns what the ledger would make of them.
 * Before each, with `noise`, an event of another stream category: leaves count identity events only.
 */
export class EventLog {
  readonly events: KnownEvent[] = [];
  private noise = 0;

  constructor(readonly store: EventStore) {}

  async append(bodies: readonly { body: Record<string, unknown>; time: string }[], options: { noise?: boolean } = {}): Promise<KnownEvent[]> {
    const added: KnownEvent[] = [];
    for (const { body, time } of bodies) {
      if (options.noise) {
        const id = newEventId();
        const data = new TextEncoder().encode(`{"noise":${this.noise++}}`);
        await this.store.append({ stream: 'checkpoints-log', expectedRevision: 'any', events: [{ id, type: 'Checkpoint', data, metadata: data }] });
      }
      const prepared = prepareEvent(parseIdentityEventInput(body), time, newEventId());
      await this.appendPrepared(prepared);
      added.push(this.known(prepared));
    }
    return added;
  }

  /** Appends every body in the same turn: the embedded store commits them as one group, in this order. */
  async appendTogether(bodies: readonly { body: Record<string, unknown>; time: string }[]): Promise<KnownEvent[]> {
    const prepared = bodies.map(({ body, time }) => prepareEvent(parseIdentityEventInput(body), time, newEventId()));
    await Promise.all(prepared.map((event) => this.appendPrepared(event)));
    return prepared.map((event) => this.known(event));
  }

  private async appendPrepared(prepared: PreparedEvent): Promise<void> {
    await this.store.append({
      stream: prepared.stream,
      expectedRevision: 'any',
      events: [{ id: prepared.id, type: IDENTITY_EVENT_TYPE, data: prepared.leaf, metadata: encodeEventMetadata(prepared) }],
    });
  }

  private known(prepared: PreparedEvent): KnownEvent {
    const known: KnownEvent = {
      leafIndex: BigInt(this.events.length),
      envelope: prepared.envelope,
      leaf: prepared.leaf,
      ...(prepared.detail && { detail: prepared.detail.document }),
    };
    this.events.push(known);
    return known;
  }
}

/** A small deterministic generator (mulberry32): the same seed gives the same events and filters on every run. */
export class Random {
  constructor(private state: number) {}

  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(values: readonly T[]): T {
    return values[this.int(values.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

export const TENANTS = ['acme', 'globex', 'initech'] as const;
// 'user:u_1' as a service's id: the filter "user:u_1" must find it (its id) and the user u_1 (its type:id).
export const ACTOR_IDS = ['u_1', 'u_2', 'u_3', 'svc', 'user:u_1'] as const;
export const USERS = ['u_1', 'u_2', 'u_3', 'u_4'] as const;
export const ROLES = ['admin', 'auditor', 'billing'] as const;
export const REASONS = ['Wrong Password', 'wrong_password', 'MFA timeout', 'Über-Limit', 'policy: DENY', 'ok'] as const;
export const REQUEST_IDS = ['req-1', 'req-2', 'req-3'] as const;
export const CORRELATION_IDS = ['corr-A', 'corr-B'] as const;

/** A valid request body of a random kind; several tenants share actor and target ids, so isolation is tested. */
export function randomBody(random: Random): Record<string, unknown> {
  const tenant = random.pick(TENANTS);
  const actorId = random.pick(ACTOR_IDS);
  const actor = { type: actorId === 'svc' || actorId === 'user:u_1' ? 'service' : 'user', id: actorId };
  const user = { type: 'user', id: random.pick(USERS) };
  const kind = random.int(9);
  let action: string;
  let targets: { type: string; id: string }[];
  if (kind <= 2) {
    action = random.pick(['user.login', 'user.logout', 'user.mfa.enrolled', 'user.mfa.verified', 'user.mfa.disabled', 'user.password.changed']);
    targets = random.chance(0.3) ? [user, { type: 'session', id: `s_${random.int(3)}` }] : [user];
  } else if (kind <= 4) {
    action = random.pick(['role.granted', 'role.revoked']);
    const subject = random.chance(0.2) ? { type: 'group', id: random.pick(['g_ops', 'u_1']) } : user;
    targets = [subject, { type: 'role', id: random.pick(ROLES) }];
    if (random.chance(0.1)) targets.push({ type: 'role', id: random.pick(ROLES) });
  } else if (kind === 5) {
    action = 'data.exported';
    targets = [{ type: random.pick(['dataset', 'document']), id: random.pick(['ds_1', 'u_1', 'doc:7']) }];
  } else if (kind === 6) {
    action = 'api_key.used';
    targets = [{ type: 'api_key', id: `k_${random.int(3)}` }];
  } else if (kind === 7) {
    action = 'audit_log.read';
    targets = [];
  } else {
    action = 'session.started';
    targets = [user];
  }
  const context = {
    ...(random.chance(0.5) && { requestId: random.pick(REQUEST_IDS) }),
    ...(random.chance(0.4) && { correlationId: random.pick(CORRELATION_IDS) }),
    ...(random.chance(0.3) && { ip: '203.0.113.7' }),
  };
  return {
    tenant,
    action,
    outcome: random.pick(['success', 'success', 'success', 'failure', 'error']),
    ...(random.chance(0.5) && { reason: random.pick(REASONS) }),
    actor,
    targets,
    ...(Object.keys(context).length > 0 && { context }),
    ...(random.chance(0.2) && { metadata: { n: random.int(100), tags: ['a', 'b'] } }),
  };
}

/**
 * `count` random bodies with server times mostly increasing in append order, but now and then stepping back (as
 * two replicas' clocks may): a time range is not a leaf range, and the read model must not assume it is.
 */
export function randomBodies(random: Random, count: number, startMicros = 0): { body: Record<string, unknown>; time: string }[] {
  let micros = startMicros;
  return Array.from({ length: count }, () => {
    micros += random.chance(0.1) ? -random.int(5000) : 1 + random.int(3000);
    return { body: randomBody(random), time: time(Math.max(micros, 0)) };
  });
}
