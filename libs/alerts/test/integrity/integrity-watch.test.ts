import { IntegrityWatch, OPERATOR_CHANNEL, type LogHealth } from '@trailmark/alerts';
import { health } from './health.js';

const halted = (minutes: number) => health(minutes, { sequencerHalted: 'a failed write' });
const refused = (minutes: number, witness: string) => health(minutes, { refusingWitnesses: [{ witness, reason: 'inconsistent' }] });

describe('IntegrityWatch', () => {
  test.each<[string, LogHealth[], [number, string][]]>([
    ['healthy samples raise nothing', [health(0), health(1), health(2)], []],
    ['a halt raises one alert however long it lasts', [health(0), halted(1), halted(2), halted(3)], [[1, 'sequencer-halted']]],
    ['a halt, a recovery, a halt again: two alerts', [halted(0), health(1), halted(2)], [[0, 'sequencer-halted'], [2, 'sequencer-halted']]],
    ['a second witness refusing is a second alert', [refused(0, 'w1'), { ...refused(1, 'w1'), refusingWitnesses: [{ witness: 'w1', reason: 'x' }, { witness: 'w2', reason: 'y' }] }], [[0, 'witness-refused'], [1, 'witness-refused']]],
  ])('%s', (_name, samples, expected) => {
    const watch = new IntegrityWatch();
    const raised = samples.flatMap((sample, i) => watch.observe(sample).map((alert) => [i, alert] as const));
    expect(raised.map(([i, alert]) => [i, alert.rule])).toEqual(expected);
    for (const [i, alert] of raised) {
      expect(alert).toMatchObject({ tenant: OPERATOR_CHANNEL, severity: 'critical', status: 'open', triggerLeaf: samples[i]!.treeSize, evidence: [] });
    }
    expect(new Set(raised.map(([, alert]) => alert.id)).size).toBe(raised.length);
  });

  test('the same sample seen again by a new watch raises the same alert id (a restart records nothing twice)', () => {
    const [first] = new IntegrityWatch().observe(halted(5));
    const [again] = new IntegrityWatch().observe(halted(5));
    expect(again!.id).toBe(first!.id);
  });
});
