import { DEFAULT_RULES, MINUTE } from '@trailmark/alerts';
import { run, times, type Step } from '../support/rule-run.js';

const rule = DEFAULT_RULES.find((r) => r.name === 'bulk-export')!;
const exported = (at?: number, metadata?: Record<string, unknown>, action = 'data.exported'): Step => ({
  action,
  targets: [{ type: 'dataset', id: 'customers' }],
  ...(at !== undefined && { at }),
  ...(metadata !== undefined && { metadata }),
});

describe('bulk-export', () => {
  test.each<[string, Step[], Record<string, unknown>, number[]]>([
    ['11 exports in an hour', times(11, () => exported()), {}, [10]],
    ['10 exports in an hour', times(10, () => exported()), {}, []],
    ['audit log exports count too', times(11, () => exported(undefined, undefined, 'audit_log.exported')), {}, [10]],
    ['11 exports over two hours', times(11, (i) => exported(i * 12 * MINUTE)), {}, []],
    ['one export of 100,001 rows', [exported(0, { rowCount: 100_001 })], {}, [0]],
    ['one export of 100,000 rows', [exported(0, { rowCount: 100_000 })], {}, []],
    ['a tenant maximum of 2 exports', times(3, () => exported()), { maxExports: 2 }, [2]],
  ])('%s', (_name, steps, overrides, expected) => {
    const findings = run(rule, steps, overrides);
    expect(findings.map((finding) => finding.at)).toEqual(expected);
    for (const finding of findings) expect(finding.key).toBe('user:u_1');
  });
});
