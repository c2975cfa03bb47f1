import type { Severity } from './rule.js';

export const ALERT_STATUSES = ['open', 'acknowledged', 'closed'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** An event named as evidence: what `GET /v1/events/{id}/proof` proves. */
export interface EvidenceRef {
  readonly id: string;
  readonly leafIndex: number;
}

/** Who acknowledged or closed an alert, when (server time of that event) and why. */
export interface AlertDecision {
  readonly by: string;
  readonly time: string;
  readonly leafIndex: number;
  readonly note?: string;
}

/**
 * An alert as the engine keeps it. What it was raised on (severity, summary, `evidence`, `raisedAt`) never
 * changes: the `alert.raised` event records exactly that. Later evidence only moves `evidenceCount`, `lastAt`
 * and `lastLeaf`.
 */
export interface AlertRecord {
  readonly id: string;
  readonly tenant: string;
  readonly rule: string;
  readonly key: string;
  readonly severity: Severity;
  readonly summary: string;
  readonly status: AlertStatus;
  /** Server time of the event that raised it. */
  readonly raisedAt: string;
  readonly triggerLeaf: number;
  readonly lastAt: string;
  readonly lastLeaf: number;
  readonly evidenceCount: number;
  /** The events it was raised on, oldest first (at most MAX_EVIDENCE). */
  readonly evidence: readonly EvidenceRef[];
  /** The leaf of its `alert.raised` event, once the engine has read that event back from the log. */
  readonly raisedLeaf?: number;
  readonly acknowledged?: AlertDecision;
  readonly closed?: AlertDecision;
}

/** At most this many evidence events are named in an alert.raised event; evidenceCount counts them all. */
export const MAX_EVIDENCE = 100;
