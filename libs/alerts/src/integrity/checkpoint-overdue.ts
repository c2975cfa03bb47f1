import type { IntegrityRule } from './log-health.js';

/** Intervals without a checkpoint before the rule speaks: one late checkpoint is a busy machine, ten are not. */
export const OVERDUE_INTERVALS = 10;

/** No checkpoint published for OVERDUE_INTERVALS intervals: nobody can prove what the log held lately. */
export const checkpointOverdue: IntegrityRule = {
  name: 'checkpoint-overdue',
  description: `no checkpoint published for ${OVERDUE_INTERVALS} checkpoint intervals`,
  evaluate({ at, checkpoints }) {
    const last = checkpoints.lastPublishedAt ?? checkpoints.since;
    const intervals = Math.floor((at - last) / checkpoints.intervalMs);
    if (intervals < OVERDUE_INTERVALS) return [];
    const since = checkpoints.lastPublishedAt === undefined ? 'since the service started' : `since ${new Date(last).toISOString()}`;
    return [{ key: 'checkpoint', summary: `no checkpoint published for ${intervals} intervals (${since})` }];
  },
};
