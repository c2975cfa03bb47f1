import { DEFAULT_RULES } from '@trailmark/alerts';
import { run, type Step } from '../support/rule-run.js';

const rule = DEFAULT_RULES.find((r) => r.name === 'privilege-escalation')!;
const grant = (actor: string, user: string, role: string, outcome = 'success'): Step => ({
  action: 'role.granted',
  outcome,
  actor: { type: 'user', id: actor },
  targets: [{ type: 'user', id: user }, { type: 'role', id: role }],
});

describe('privilege-escalation', () => {
  test.each<[string, Step, Record<string, unknown>, string | undefined]>([
    ['admin granted by another user', grant('boss', 'u_1', 'admin'), {}, 'high'],
    ['owner, any case', grant('boss', 'u_1', 'Owner'), {}, 'high'],
    ['a plain role', grant('boss', 'u_1', 'viewer'), {}, undefined],
    ['a self-grant of admin', grant('u_1', 'u_1', 'admin'), {}, 'critical'],
    ['a self-grant of a plain role', grant('u_1', 'u_1', 'viewer'), {}, 'critical'],
    ['a refused grant', grant('u_1', 'u_1', 'admin', 'failure'), {}, undefined],
    ['a tenant list of privileged roles', grant('boss', 'u_1', 'billing'), { privilegedRoles: ['billing'] }, 'high'],
    ['admin left out of the tenant list', grant('boss', 'u_1', 'admin'), { privilegedRoles: ['billing'] }, undefined],
  ])('%s', (_name, step, overrides, severity) => {
    const findings = run(rule, [step], overrides);
    expect(findings.map((finding) => finding.severity)).toEqual(severity === undefined ? [] : [severity]);
    for (const finding of findings) expect(finding.evidence.map((mark) => mark.id)).toEqual(['e0']);
  });
});
