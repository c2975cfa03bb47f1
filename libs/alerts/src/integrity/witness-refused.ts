import type { IntegrityRule } from './log-health.js';

/** A witness refuses the log's checkpoints as inconsistent with what it cosigned: possibly a forked log. */
export const witnessRefused: IntegrityRule = {
  name: 'witness-refused',
  description: "a witness refuses this log's checkpoints",
  evaluate: (health) =>
    health.refusingWitnesses.map(({ witness, reason }) => ({ key: witness, summary: `witness ${witness} refuses the log's checkpoints: ${reason}` })),
};
