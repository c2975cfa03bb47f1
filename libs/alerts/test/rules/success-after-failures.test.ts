import { DEFAULT_RULES, HOUR } from '@trailmark/alerts';
import { failedLogin, login, run, times, type Step } from '../support/rule-run.js';

const rule = DEFAULT_RULES.find((r) => r.name === 'success-after-failures')!;
const failures = (n: number, user = 'u_1') => times(n, (i) => failedLogin(user, `192.0.2.${i}`));

describe('success-after-failures', () => {
  test.each<[string, Step[], Record<string, unknown>, number[]]>([
    ['5 failures then a success', [...failures(5), login('u_1')], {}, [5]],
    ['4 failures then a success', [...failures(4), login('u_1')], {}, []],
    ['5 failures of another user', [...failures(5, 'u_2'), login('u_1')], {}, []],
    ['the failures older than the window', [...failures(5), login('u_1', {}, 2 * HOUR)], {}, []],
    ['a second success starts over', [...failures(5), login('u_1'), login('u_1')], {}, [5]],
    ['a tenant threshold of 2', [...failures(2), login('u_1')], { failures: 2 }, [2]],
  ])('%s', (_name, steps, overrides, expected) => {
    const findings = run(rule, steps, overrides);
    expect(findings.map((finding) => finding.at)).toEqual(expected);
    for (const finding of findings) {
      expect(finding.key).toBe('u_1');
      expect(finding.evidence.map((mark) => mark.leafIndex)).toEqual(times(finding.at + 1, (i) => i).slice(-(finding.evidence.length)));
    }
  });
});
