import { DEFAULT_RULES, MINUTE } from '@trailmark/alerts';
import { run, times, type Step } from '../support/rule-run.js';

const rule = DEFAULT_RULES.find((r) => r.name === 'key-creation-burst')!;
const created = (actor = 'u_1', at?: number): Step => ({
  action: 'api_key.created',
  actor: { type: 'user', id: actor },
  targets: [{ type: 'api_key', id: 'k' }],
  ...(at !== undefined && { at }),
});

describe('key-creation-burst', () => {
  test.each<[string, Step[], Record<string, unknown>, number[]]>([
    ['5 keys in an hour', times(5, () => created()), {}, [4]],
    ['4 keys', times(4, () => created()), {}, []],
    ['5 keys by two actors', times(5, (i) => created(i % 2 === 0 ? 'u_1' : 'u_2')), {}, []],
    ['5 keys over two hours', times(5, (i) => created('u_1', i * 30 * MINUTE)), {}, []],
    ['a tenant threshold of 2', times(2, () => created()), { created: 2 }, [1]],
  ])('%s', (_name, steps, overrides, expected) => {
    const findings = run(rule, steps, overrides);
    expect(findings.map((finding) => finding.at)).toEqual(expected);
    for (const finding of findings) expect(finding.severity).toBe('medium');
  });
});
