import { DEFAULT_RULES, HOUR, MINUTE } from '@trailmark/alerts';
import { failedLogin, run, times, type Step } from '../support/rule-run.js';

const rule = DEFAULT_RULES.find((r) => r.name === 'login-spray')!;

describe('login-spray', () => {
  test.each<[string, Step[], Record<string, unknown>, number[]]>([
    ['20 users from one IP', times(20, (i) => failedLogin(`u_${i}`, '198.51.100.1')), {}, [19]],
    ['19 users', times(19, (i) => failedLogin(`u_${i}`, '198.51.100.1')), {}, []],
    ['20 failures against 10 users count 10', times(20, (i) => failedLogin(`u_${i % 10}`, '198.51.100.1')), {}, []],
    ['20 users from 20 IPs', times(20, (i) => failedLogin(`u_${i}`, `198.51.100.${i}`)), {}, []],
    ['20 users over an hour, under the day threshold', times(20, (i) => failedLogin(`u_${i}`, '198.51.100.1', i * 3 * MINUTE)), {}, []],
    ['100 users in a day', times(100, (i) => failedLogin(`u_${i}`, '198.51.100.1', i * 10 * MINUTE)), {}, [99]],
    ['100 users over more than a day', times(100, (i) => failedLogin(`u_${i}`, '198.51.100.1', i * 15 * MINUTE)), {}, []],
    ['a tenant threshold of 5', times(5, (i) => failedLogin(`u_${i}`, '198.51.100.1')), { users: 5 }, [4]],
  ])('%s', (_name, steps, overrides, expected) => {
    const findings = run(rule, steps, overrides);
    expect(findings.map((finding) => finding.at)).toEqual(expected);
    for (const finding of findings) expect(finding.key).toBe('198.51.100.1');
  });

  test('the evidence names each user once', () => {
    const [finding] = run(rule, times(20, (i) => failedLogin(`u_${i}`, '198.51.100.1')));
    expect(new Set(finding!.evidence.map((mark) => mark.value)).size).toBe(20);
    void HOUR;
  });
});
