import { checkpointOverdue } from './checkpoint-overdue.js';
import type { IntegrityRule } from './log-health.js';
import { sequencerHalted } from './sequencer-halted.js';
import { witnessRefused } from './witness-refused.js';

/** The log-integrity rules; adding one is a file here and a line below. */
export const INTEGRITY_RULES: readonly IntegrityRule[] = [sequencerHalted, checkpointOverdue, witnessRefused];
