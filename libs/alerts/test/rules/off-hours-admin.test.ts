import { DEFAULT_RULES, HOUR } from '@trailmark/alerts';
import { run, type Step } from '../support/rule-run.js';

const rule = DEFAULT_RULES.find((r) => r.name === 'off-hours-admin')!;
// T0 is Monday 10:00 UTC.
const change = (at: number, action = 'security.policy.changed'): Step => ({ action, at, targets: [{ type: 'policy', id: 'p' }] });

describe('off-hours-admin', () => {
  test.each<[string, Step, Record<string, unknown>, boolean]>([
    ['Monday 10:00 UTC', change(0), {}, false],
    ['Monday 03:00 UTC', change(-7 * HOUR), {}, true],
    ['Monday 18:00 UTC (the end is exclusive)', change(8 * HOUR), {}, true],
    ['Saturday 10:00 UTC', change(5 * 24 * HOUR), {}, true],
    ['a role grant at 03:00 (authorization)', { action: 'role.granted', at: -7 * HOUR, targets: [{ type: 'user', id: 'u' }, { type: 'role', id: 'r' }] }, {}, true],
    ['a login at 03:00 (authentication)', change(-7 * HOUR, 'user.login'), {}, false],
    ['Monday 10:00 UTC is 19:00 in Tokyo', change(0), { timeZone: 'Asia/Tokyo' }, true],
    ['Monday 03:00 UTC is 12:00 in Tokyo', change(-7 * HOUR), { timeZone: 'Asia/Tokyo' }, false],
    ['no business days', change(0), { days: [] }, true],
    ['every hour of every day', change(-7 * HOUR), { days: [1, 2, 3, 4, 5, 6, 7], startHour: 0, endHour: 24 }, false],
  ])('%s', (_name, step, overrides, raised) => {
    expect(run(rule, [step], overrides).length).toBe(raised ? 1 : 0);
  });

  test('an unknown time zone is refused', () => {
    expect(rule.settings.safeParse({ timeZone: 'Mars/Olympus' }).success).toBe(false);
  });
});
