import { alertId } from '../alert-id.js';
import type { AlertRecord } from '../alert-record.js';
import { INTEGRITY_RULES } from './index.js';
import type { IntegrityRule, LogHealth } from './log-health.js';

/**
 * The tenant of the operator's channel: a reserved name, since an event needs a tenant. Only a token for every
 * tenant ('*') sees its alerts, whatever tenants another token names.
 */
export const OPERATOR_CHANNEL = 'trailmark-operator';

const serverTime = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');

/**
 * Judges the service's health samples with the integrity rules. A condition raises one critical alert when it
 * starts and none while it lasts; once a sample no longer shows it, the next time it starts is a new alert.
 */
export class IntegrityWatch {
  /** "<rule>\u0000<key>" of the conditions the last sample showed. */
  private standing = new Set<string>();

  constructor(private readonly rules: readonly IntegrityRule[] = INTEGRITY_RULES) {}

  /** The alerts this sample raises. */
  observe(health: LogHealth): AlertRecord[] {
    const raised: AlertRecord[] = [];
    const now = new Set<string>();
    const time = serverTime(health.at);
    for (const rule of this.rules) {
      for (const { key, summary } of rule.evaluate(health)) {
        const standing = `${rule.name}\u0000${key}`;
        now.add(standing);
        if (this.standing.has(standing)) continue;
        raised.push({
          // The sample's instant stands for the triggering event: a later start of the same condition is another alert.
          id: alertId(OPERATOR_CHANNEL, rule.name, key, time),
          tenant: OPERATOR_CHANNEL,
          rule: rule.name,
          key,
          severity: 'critical',
          summary,
          status: 'open',
          raisedAt: time,
          triggerLeaf: health.treeSize,
          lastAt: time,
          lastLeaf: health.treeSize,
          evidenceCount: 0,
          evidence: [],
        });
      }
    }
    this.standing = now;
    return raised;
  }
}
