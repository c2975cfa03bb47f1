import { z } from 'zod';
import { MINUTE, markOf, userOf, type Rule } from '../rule.js';

const Settings = z.strictObject({
  enabled: z.boolean().default(true),
  failures: z.int().min(2).max(10_000).default(10),
  windowMinutes: z.int().min(1).max(1440).default(10),
});

/** Many failed logins for one user from one IP: someone guessing that user's password. */
export const bruteForce: Rule<z.output<typeof Settings>> = {
  name: 'brute-force',
  description: 'at least `failures` failed user.login for one user from one IP within `windowMinutes`',
  settings: Settings,
  evaluate(event, settings, state) {
    if (event.action !== 'user.login' || event.outcome !== 'failure') return undefined;
    const user = userOf(event);
    const ip = event.origin.ip;
    if (user === undefined || ip === undefined) return undefined;
    const key = `${user}|${ip}`;
    const marks = state.remember(key, markOf(event), settings.windowMinutes * MINUTE, settings.failures);
    if (marks.length < settings.failures) return undefined;
    return {
      key,
      severity: 'high',
      summary: `${marks.length} failed logins for user ${user} from ${ip} within ${settings.windowMinutes} min`,
      evidence: marks,
    };
  },
};
