import { z } from 'zod';
import { DAY, HOUR, markOf, userOf, type Rule } from '../rule.js';
import type { Mark } from '../rule-state.js';

const Settings = z.strictObject({
  enabled: z.boolean().default(true),
  /** A login this long after MFA was removed is not linked to it. */
  withinHours: z.int().min(1).max(720).default(24),
  /** An IP seen in a successful login of the user this recently is known. */
  knownIpDays: z.int().min(1).max(365).default(30),
});

/** MFA taken off an account, then a login from an IP that account has not used lately: a takeover in progress. */
export const mfaRemovedNewIp: Rule<z.output<typeof Settings>> = {
  name: 'mfa-removed-new-ip',
  description: 'user.mfa.disabled, then within `withinHours` a successful user.login from an IP not seen for that user in `knownIpDays`',
  settings: Settings,
  evaluate(event, settings, state) {
    if (event.outcome !== 'success') return undefined;
    const user = userOf(event);
    if (user === undefined) return undefined;
    if (event.action === 'user.mfa.disabled') {
      state.set(`removed|${user}`, markOf(event), event.at + settings.withinHours * HOUR);
      return undefined;
    }
    const ip = event.origin.ip;
    if (event.action !== 'user.login' || ip === undefined) return undefined;
    const removed = state.get<Mark>(`removed|${user}`, event.at);
    const known = state.get<boolean>(`ip|${user}|${ip}`, event.at) === true;
    state.set(`ip|${user}|${ip}`, true, event.at + settings.knownIpDays * DAY);
    if (removed === undefined || known) return undefined;
    return {
      key: user,
      severity: 'high',
      summary: `user ${user} logged in from new IP ${ip} after MFA was removed`,
      evidence: [removed, markOf(event)],
    };
  },
};
