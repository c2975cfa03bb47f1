import { z } from 'zod';
import { MINUTE, markOf, userOf, type Rule } from '../rule.js';

const Settings = z.strictObject({
  enabled: z.boolean().default(true),
  failures: z.int().min(1).max(10_000).default(5),
  windowMinutes: z.int().min(1).max(1440).default(60),
});

/** A login that succeeds after a run of failures: the guessing may have worked. */
export const successAfterFailures: Rule<z.output<typeof Settings>> = {
  name: 'success-after-failures',
  description: 'a successful user.login after at least `failures` failed ones for that user within `windowMinutes`',
  settings: Settings,
  evaluate(event, settings, state) {
    if (event.action !== 'user.login') return undefined;
    const user = userOf(event);
    if (user === undefined) return undefined;
    const window = settings.windowMinutes * MINUTE;
    if (event.outcome === 'failure') {
      state.remember(user, markOf(event), window, settings.failures);
      return undefined;
    }
    if (event.outcome !== 'success') return undefined;
    const failures = state.recent(user, event.at, window);
    // The run ends with this success, whatever follows.
    state.forget(user);
    if (failures.length < settings.failures) return undefined;
    return {
      key: user,
      severity: 'high',
      summary: `user ${user} logged in after ${failures.length} failed logins`,
      evidence: [...failures, markOf(event)],
    };
  },
};
