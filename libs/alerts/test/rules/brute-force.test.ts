import { DEFAULT_RULES, MINUTE } from '@trailmark/alerts';
import { failedLogin, run, times, type Step } from '../support/rule-run.js';

const rule = DEFAULT_RULES.find((r) => r.name === 'brute-force')!;

describe('brute-force', () => {
  test.each<[string, Step[], Record<string, unknown>, number[]]>([
    ['10 failures, one user, one IP', times(10, () => failedLogin('u_1', '203.0.113.7')), {}, [9]],
    ['9 failures stay under the threshold', times(9, () => failedLogin('u_1', '203.0.113.7')), {}, []],
    ['the 11th failure is a finding too (the engine adds it to the open alert)', times(11, () => failedLogin('u_1', '203.0.113.7')), {}, [9, 10]],
    ['failures spread over two IPs', times(10, (i) => failedLogin('u_1', i % 2 === 0 ? '203.0.113.7' : '203.0.113.8')), {}, []],
    ['failures spread over two users', times(10, (i) => failedLogin(i % 2 === 0 ? 'u_1' : 'u_2', '203.0.113.7')), {}, []],
    ['10 failures over more than 10 min', times(10, (i) => failedLogin('u_1', '203.0.113.7', i * 2 * MINUTE)), {}, []],
    ['a tenant threshold of 3', times(3, () => failedLogin('u_1', '203.0.113.7')), { failures: 3 }, [2]],
    ['failures without an IP', times(10, () => ({ ...failedLogin('u_1', 'x'), origin: {} })), {}, []],
    ['successful logins', times(10, () => ({ ...failedLogin('u_1', '203.0.113.7'), outcome: 'success' })), {}, []],
  ])('%s', (_name, steps, overrides, expected) => {
    const findings = run(rule, steps, overrides);
    expect(findings.map((finding) => finding.at)).toEqual(expected);
    for (const finding of findings) {
      expect(finding.key).toBe('u_1|203.0.113.7');
      expect(finding.severity).toBe('high');
      expect(finding.evidence.at(-1)!.leafIndex).toBe(finding.at);
    }
  });

  test('the evidence is the failures of the window, at most the threshold', () => {
    const [first] = run(rule, times(12, () => failedLogin('u_1', '203.0.113.7')));
    expect(first!.evidence.map((mark) => mark.id)).toEqual(times(10, (i) => `e${i}`));
  });
});
