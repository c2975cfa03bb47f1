import {
  DEFAULT_RULES,
  alertDecisionEvent,
  alertRulesChangedEvent,
  effectiveSettings,
  parseRuleOverrides,
  type AlertActor,
  type AlertRecord,
  type EffectiveSettings,
  type RuleOverrides,
} from '@trailmark/alerts';
import type { LedgerCore } from './ledger-core.js';
import { recordAlertEvent } from './alert-recording.js';

/** Every alert judged and recorded up to the tree's current size: what a read of the alerts waits for. */
export async function alertsCaughtUp(core: LedgerCore): Promise<void> {
  await core.alerts.whenProcessed(Number(core.tree.size));
  await core.alertOutbox.idle();
  // The alert.raised events just recorded, read back: their leaf indexes are known then.
  await core.alerts.whenProcessed(Number(core.tree.size));
}

/**
 * Acknowledges or closes an alert: records the decision, then answers once the engine has read it back (the
 * alert's status is what the log says).
 */
export async function decideAlert(
  core: LedgerCore,
  action: 'alert.acknowledged' | 'alert.closed',
  alert: AlertRecord,
  actor: AlertActor,
  note: string | undefined,
): Promise<AlertRecord> {
  const { receipt } = await recordAlertEvent(core.recorder, alertDecisionEvent(action, alert, actor, note));
  await core.alerts.whenProcessed(Number(receipt.leafIndex) + 1);
  return core.alertStore.get(alert.id)!;
}

/** Replaces a tenant's rule overrides (already checked): recorded, then read back by the engine. */
export async function changeAlertRules(core: LedgerCore, tenant: string, actor: AlertActor, overrides: RuleOverrides): Promise<void> {
  const { receipt } = await recordAlertEvent(core.recorder, alertRulesChangedEvent(tenant, actor, overrides));
  await core.alerts.whenProcessed(Number(receipt.leafIndex) + 1);
}

/** A tenant's complete rule settings, as the engine last applied them. */
export function alertSettingsOf(core: LedgerCore, tenant: string): EffectiveSettings {
  return effectiveSettings(DEFAULT_RULES, core.alertStore.rules(tenant)?.overrides);
}

/** Checks a rules body against the rule pack (throws InvalidRuleSettingsError naming the field). */
export function checkAlertOverrides(body: unknown): RuleOverrides {
  return parseRuleOverrides(DEFAULT_RULES, body);
}
