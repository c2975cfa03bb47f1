import type { IntegrityRule } from './log-health.js';

/** The sequencer stopped: events are refused, the log does not grow. */
export const sequencerHalted: IntegrityRule = {
  name: 'sequencer-halted',
  description: 'the sequencer stopped taking events',
  evaluate: (health) =>
    health.sequencerHalted === undefined ? [] : [{ key: 'sequencer', summary: `the sequencer halted: ${health.sequencerHalted}` }],
};
