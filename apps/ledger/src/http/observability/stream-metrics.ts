import { Gauge, type Registry } from 'prom-client';
import type { LedgerCore } from '../../core/ledger-core.js';
import type { StreamView } from '../../core/ledger-streams.js';

/**
 * Per-stream gauges, read from the stream store at scrape time (labels: stream id and tenant): lag in leaves
 * behind the tree, records delivered, failed attempts, and the time of the last success. Gauges rather than
 * counters for the totals, because the store (not this process) keeps them across restarts.
 */
export function registerStreamMetrics(registry: Registry, core: () => LedgerCore | undefined): void {
  const streams = (): StreamView[] => {
    const ledger = core();
    try {
      return ledger?.ready ? ledger.streams.list() : [];
    } catch {
      return [];
    }
  };
  const gauge = (name: string, help: string, value: (stream: StreamView) => number | undefined) =>
    new Gauge({
      name,
      help,
      labelNames: ['stream', 'tenant'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const stream of streams()) {
          const measured = value(stream);
          if (measured !== undefined) this.set({ stream: stream.id, tenant: stream.tenant }, measured);
        }
      },
    });
  gauge('trailmark_stream_lag_events', 'Leaves of the tree a log stream has not read yet.', (stream) => stream.lag);
  gauge('trailmark_stream_delivered_records', 'Records a log stream delivered (acknowledged by its receiver), since it was created.', (stream) => stream.delivered);
  gauge('trailmark_stream_failed_attempts', 'Delivery attempts of a log stream that failed, since it was created.', (stream) => stream.failedAttempts);
  gauge('trailmark_stream_failing', '1 while a log stream has spent the retries of its current batch, else 0.', (stream) => (stream.status === 'failing' ? 1 : 0));
  gauge('trailmark_stream_last_success_timestamp_seconds', 'When a log stream last delivered a batch (absent before its first).', (stream) =>
    stream.lastSuccessAt === null ? undefined : Date.parse(stream.lastSuccessAt) / 1000,
  );
}
