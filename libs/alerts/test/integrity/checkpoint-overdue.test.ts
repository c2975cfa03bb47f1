import { checkpointOverdue } from '@trailmark/alerts';
import { INTERVAL, START, health } from './health.js';

describe('checkpoint-overdue', () => {
  test.each<[string, { at: number; lastPublishedAt?: number }, number[]]>([
    ['published just now', { at: START + 30 * INTERVAL, lastPublishedAt: START + 30 * INTERVAL }, []],
    ['9 intervals and a bit without one', { at: START + 9.9 * INTERVAL, lastPublishedAt: START }, []],
    ['10 intervals without one', { at: START + 10 * INTERVAL, lastPublishedAt: START }, [10]],
    ['25 intervals without one', { at: START + 25 * INTERVAL, lastPublishedAt: START }, [25]],
    ['none since the start, 9 intervals ago', { at: START + 9 * INTERVAL }, []],
    ['none since the start, 12 intervals ago', { at: START + 12 * INTERVAL }, [12]],
  ])('%s', (_name, { at, lastPublishedAt }, intervals) => {
    const sample = { ...health(0), at, checkpoints: { intervalMs: INTERVAL, since: START, ...(lastPublishedAt !== undefined && { lastPublishedAt }) } };
    const findings = checkpointOverdue.evaluate(sample);
    expect(findings.map((finding) => Number(/for (\d+) intervals/.exec(finding.summary)![1]))).toEqual(intervals);
    for (const finding of findings) expect(finding.key).toBe('checkpoint');
  });
});
