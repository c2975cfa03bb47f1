import { DAY, DEFAULT_RULES, HOUR } from '@trailmark/alerts';
import { login, run, type Step } from '../support/rule-run.js';

const rule = DEFAULT_RULES.find((r) => r.name === 'mfa-removed-new-ip')!;
const removed = (at: number): Step => ({ action: 'user.mfa.disabled', at });
const HOME = { ip: '192.0.2.10' };
const AWAY = { ip: '203.0.113.99' };

describe('mfa-removed-new-ip', () => {
  test.each<[string, Step[], Record<string, unknown>, number[]]>([
    ['MFA removed, then a new IP', [login('u_1', HOME, 0), removed(HOUR), login('u_1', AWAY, 2 * HOUR)], {}, [2]],
    ['MFA removed, then the usual IP', [login('u_1', HOME, 0), removed(HOUR), login('u_1', HOME, 2 * HOUR)], {}, []],
    ['a new IP without MFA removed', [login('u_1', HOME, 0), login('u_1', AWAY, 2 * HOUR)], {}, []],
    ['a new IP more than 24 h after', [login('u_1', HOME, 0), removed(HOUR), login('u_1', AWAY, 26 * HOUR)], {}, []],
    ['the usual IP not seen for 31 days', [login('u_1', HOME, 0), removed(31 * DAY), login('u_1', HOME, 31 * DAY + HOUR)], {}, [2]],
    ['a tenant window of 1 h', [login('u_1', HOME, 0), removed(HOUR), login('u_1', AWAY, 3 * HOUR)], { withinHours: 1 }, []],
  ])('%s', (_name, steps, overrides, expected) => {
    const findings = run(rule, steps, overrides);
    expect(findings.map((finding) => finding.at)).toEqual(expected);
    for (const finding of findings) expect(finding.evidence.map((mark) => mark.leafIndex)).toEqual([1, 2]);
  });
});
