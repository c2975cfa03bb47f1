import type { z } from 'zod';
import type { ObservedEvent } from './observed-event.js';
import type { Mark, RuleState } from './rule-state.js';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** What a rule saw: the engine keeps one open alert per rule and key, and adds each finding's new evidence to it. */
export interface Finding {
  /** What the alert is about within the rule ("u_1|203.0.113.7"): one open alert per key. */
  readonly key: string;
  readonly severity: Severity;
  readonly summary: string;
  /** The events that make the finding, oldest first; the current event last. */
  readonly evidence: readonly Mark[];
}

/** Every rule can be switched off per tenant. */
export interface RuleSettings {
  readonly enabled: boolean;
}

/**
 * A detection rule: a plain function of one event, the tenant's settings for the rule and the rule's own state.
 * `settings` parses a tenant's override (possibly `{}`) into complete settings, defaults filled in.
 */
export interface Rule<S extends RuleSettings = RuleSettings> {
  readonly name: string;
  readonly description: string;
  readonly settings: z.ZodType<S, unknown>;
  evaluate(event: ObservedEvent, settings: S, state: RuleState): Finding | undefined;
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** The mark of an event, as evidence. */
export function markOf(event: ObservedEvent, value?: string): Mark {
  return { id: event.id, leafIndex: event.leafIndex, at: event.at, ...(value !== undefined && { value }) };
}

/** The user an authentication event is about: its first target when that is a user, else a user actor. */
export function userOf(event: ObservedEvent): string | undefined {
  const subject = event.targets[0];
  if (subject?.type === 'user') return subject.id;
  return event.actor.type === 'user' ? event.actor.id : undefined;
}

/** "user:u_1": an actor named by type and id, as keys and summaries spell it. */
export function partyName(party: { readonly type: string; readonly id: string }): string {
  return `${party.type}:${party.id}`;
}
