import { witnessRefused } from '@trailmark/alerts';
import { health } from './health.js';

describe('witness-refused', () => {
  test.each<[string, { witness: string; reason: string }[], string[]]>([
    ['no witness refuses', [], []],
    ['one refuses', [{ witness: 'w1.example', reason: 'not consistent with size 40' }], ['w1.example']],
    ['two refuse: one finding each', [{ witness: 'w1.example', reason: 'a' }, { witness: 'w2.example', reason: 'b' }], ['w1.example', 'w2.example']],
  ])('%s', (_name, refusingWitnesses, keys) => {
    const findings = witnessRefused.evaluate(health(0, { refusingWitnesses }));
    expect(findings.map((finding) => finding.key)).toEqual(keys);
    for (const [i, finding] of findings.entries()) expect(finding.summary).toContain(refusingWitnesses[i]!.reason);
  });
});
