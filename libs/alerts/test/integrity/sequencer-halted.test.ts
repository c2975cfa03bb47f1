import { sequencerHalted } from '@trailmark/alerts';
import { health } from './health.js';

describe('sequencer-halted', () => {
  test.each<[string, string | undefined, string[]]>([
    ['a running sequencer', undefined, []],
    ['a halted one, with its reason', 'the tree does not match the store', ['the sequencer halted: the tree does not match the store']],
  ])('%s', (_name, halted, summaries) => {
    const findings = sequencerHalted.evaluate(health(0, halted === undefined ? {} : { sequencerHalted: halted }));
    expect(findings.map((finding) => finding.summary)).toEqual(summaries);
    for (const finding of findings) expect(finding.key).toBe('sequencer');
  });
});
