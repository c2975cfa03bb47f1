import { DEFAULT_RULES, HOUR, MINUTE } from '@trailmark/alerts';
import { login, run, type Step } from '../support/rule-run.js';

const rule = DEFAULT_RULES.find((r) => r.name === 'impossible-travel')!;
const PARIS = { latitude: 48.8566, longitude: 2.3522, country: 'FR' };
const NEW_YORK = { latitude: 40.7128, longitude: -74.006, country: 'US' };
const VERSAILLES = { latitude: 48.8049, longitude: 2.1204, country: 'FR' };

describe('impossible-travel', () => {
  test.each<[string, Step[], Record<string, unknown>, number[]]>([
    ['Paris then New York an hour later (5,800 km)', [login('u_1', PARIS, 0), login('u_1', NEW_YORK, HOUR)], {}, [1]],
    ['Paris then New York ten hours later', [login('u_1', PARIS, 0), login('u_1', NEW_YORK, 10 * HOUR)], {}, []],
    ['Paris then Versailles a minute later (under minDistanceKm)', [login('u_1', PARIS, 0), login('u_1', VERSAILLES, MINUTE)], {}, []],
    ['two users', [login('u_1', PARIS, 0), login('u_2', NEW_YORK, HOUR)], {}, []],
    ['no coordinates', [login('u_1', { country: 'FR' }, 0), login('u_1', { country: 'US' }, MINUTE)], {}, []],
    ['a tenant speed of 10,000 km/h', [login('u_1', PARIS, 0), login('u_1', NEW_YORK, HOUR)], { maxKmPerHour: 10_000 }, []],
    ['a failed login does not count', [login('u_1', PARIS, 0), { ...login('u_1', NEW_YORK, HOUR), outcome: 'failure' }], {}, []],
  ])('%s', (_name, steps, overrides, expected) => {
    const findings = run(rule, steps, overrides);
    expect(findings.map((finding) => finding.at)).toEqual(expected);
    for (const finding of findings) expect(finding.evidence.map((mark) => mark.leafIndex)).toEqual([0, 1]);
  });
});
