import { WindowedState, type Finding, type ObservedEvent, type Origin, type Party, type Rule } from '@trailmark/alerts';

export const T0 = Date.parse('2026-03-02T10:00:00.000000Z'); // a Monday, 10:00 UTC

/** One event of a scenario: the fields a rule reads, the rest defaulted; `at` in ms after T0. */
export interface Step {
  readonly action: string;
  readonly outcome?: string;
  readonly actor?: Party;
  readonly targets?: readonly Party[];
  readonly origin?: Origin;
  readonly metadata?: Record<string, unknown>;
  readonly at?: number;
}

export function observed(step: Step, leafIndex: number): ObservedEvent {
  const at = T0 + (step.at ?? leafIndex * 1000);
  return {
    leafIndex,
    id: `e${leafIndex}`,
    tenant: 'acme',
    time: new Date(at).toISOString().replace('Z', '000Z'),
    at,
    action: step.action,
    outcome: step.outcome ?? 'success',
    actor: step.actor ?? { type: 'user', id: 'u_1' },
    targets: step.targets ?? [{ type: 'user', id: 'u_1' }],
    origin: step.origin ?? {},
    ...(step.metadata !== undefined && { metadata: step.metadata }),
  };
}

/** Runs `steps` through `rule` with `overrides` of its defaults; the findings, with the leaf of the event each came on. */
export function run(rule: Rule, steps: readonly Step[], overrides: Record<string, unknown> = {}): (Finding & { at: number })[] {
  const settings = rule.settings.parse(overrides);
  const state = new WindowedState().scope('acme\u0000test');
  const findings: (Finding & { at: number })[] = [];
  steps.forEach((step, i) => {
    const finding = rule.evaluate(observed(step, i), settings as never, state);
    // The state answers its windows in place: keep a copy of the evidence, as the engine does.
    if (finding) findings.push({ ...finding, evidence: [...finding.evidence], at: i });
  });
  return findings;
}

export function times<T>(n: number, make: (i: number) => T): T[] {
  return Array.from({ length: n }, (_, i) => make(i));
}

export const failedLogin = (user: string, ip: string, at?: number): Step => ({
  action: 'user.login',
  outcome: 'failure',
  actor: { type: 'user', id: user },
  targets: [{ type: 'user', id: user }],
  origin: { ip },
  ...(at !== undefined && { at }),
});

export const login = (user: string, origin: Origin = {}, at?: number): Step => ({
  action: 'user.login',
  actor: { type: 'user', id: user },
  targets: [{ type: 'user', id: user }],
  origin,
  ...(at !== undefined && { at }),
});
