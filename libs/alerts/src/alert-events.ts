import type { AlertRecord } from './alert-record.js';
import type { RuleOverrides } from './rule-settings.js';

/** The actor of what the engine records. */
export const ALERTS_ACTOR = { type: 'system', id: 'trailmark-alerts' } as const;

/** Who asked for an acknowledgement, a closing or a rule change: the token, as read auditing names it. */
export interface AlertActor {
  readonly type: 'user' | 'service' | 'api_key' | 'system';
  readonly id: string;
}

/** An event body for the ledger's write path. */
export type EventBody = Record<string, unknown> & { readonly tenant: string };

/**
 * The alert.raised event of an alert: a function of what the alert was raised on only, so that recording it
 * again (after a restart, or a rebuild) is an exact retry.
 */
export function alertRaisedEvent(alert: AlertRecord): EventBody {
  return {
    id: alert.id,
    tenant: alert.tenant,
    action: 'alert.raised',
    outcome: 'success',
    reason: alert.rule,
    actor: ALERTS_ACTOR,
    targets: [{ type: 'alert', id: alert.id }],
    metadata: {
      rule: alert.rule,
      severity: alert.severity,
      key: alert.key,
      summary: alert.summary,
      triggeredAt: alert.raisedAt,
      evidence: alert.evidence,
    },
  };
}

/** alert.acknowledged or alert.closed, by `actor`, with the note if any. */
export function alertDecisionEvent(
  action: 'alert.acknowledged' | 'alert.closed',
  alert: Pick<AlertRecord, 'id' | 'tenant'>,
  actor: AlertActor,
  note: string | undefined,
): EventBody {
  return {
    tenant: alert.tenant,
    action,
    outcome: 'success',
    actor,
    targets: [{ type: 'alert', id: alert.id }],
    ...(note !== undefined && { metadata: { note } }),
  };
}

/** alert.rules.changed: the tenant's new overrides, whole (what is not in them is the default again). */
export function alertRulesChangedEvent(tenant: string, actor: AlertActor, overrides: RuleOverrides): EventBody {
  return {
    tenant,
    action: 'alert.rules.changed',
    outcome: 'success',
    actor,
    targets: [{ type: 'alert_rules', id: tenant }],
    metadata: { rules: overrides },
  };
}
