import type { LogHealth } from '@trailmark/alerts';

export const INTERVAL = 60_000;
export const START = Date.parse('2026-03-02T10:00:00Z');

/** A healthy sample `minutes` after START, with `changes` on top. */
export function health(minutes: number, changes: Partial<LogHealth> = {}): LogHealth {
  return {
    at: START + minutes * INTERVAL,
    treeSize: 100 + minutes,
    checkpoints: { intervalMs: INTERVAL, lastPublishedAt: START + minutes * INTERVAL, since: START },
    refusingWitnesses: [],
    ...changes,
  };
}
