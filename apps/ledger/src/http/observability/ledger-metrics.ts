import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { LedgerCore } from '../../core/ledger-core.js';
import { registerStreamMetrics } from './stream-metrics.js';
import { attachAlertMetrics } from './alert-metrics.js';

/** Route label of requests no route matched: one series, whatever path was asked. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The service's Prometheus metrics, in a registry of their own (nothing leaks into prom-client's
 * global one): the ledger's growth from the sequencer, the checkpoint's size and age computed at
 * scrape time, HTTP request durations by route pattern, and the default process metrics.
 */
export class LedgerMetrics {
  readonly registry = new Registry();
  private readonly eventsRecorded: Counter;
  private readonly appendBatchSize: Histogram;
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly witnessFailures: Counter<'witness' | 'outcome'>;
  private readonly witnessDuration: Histogram<'witness'>;
  private core: LedgerCore | undefined;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.eventsRecorded = new Counter({
      name: 'trailmark_events_recorded_total',
      help: 'Identity events integrated into the Merkle tree by this process (leaves appended since start).',
      registers,
    });
    this.appendBatchSize = new Histogram({
      name: 'trailmark_append_batch_size',
      help: 'Leaves per batch the sequencer integrated into the tree.',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'trailmark_http_request_duration_seconds',
      help: 'HTTP request duration by method, route pattern and response status.',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    registerStreamMetrics(this.registry, () => this.core);
    // prom-client calls collect() with the metric as `this`: the ledger is reached through this alias.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const metrics = this;
    new Gauge({
      name: 'trailmark_clock_skew_seconds',
      help: 'The wall clock minus server time while the wall clock is stepped beyond TRAILMARK_CLOCK_STEP_MS (server time does not follow it); 0 otherwise.',
      registers,
      collect() {
        if (metrics.core) this.set(metrics.core.recorder.clockStatus().skewSeconds);
      },
    });
    new Gauge({
      name: 'trailmark_tree_size',
      help: 'Leaves in the Merkle tree.',
      registers,
      collect() {
        if (metrics.core) this.set(Number(metrics.core.tree.size));
      },
    });
    new Gauge({
      name: 'trailmark_projection_lag_events',
      help: 'Leaves in the tree that the read models (search, export, access review) do not hold yet.',
      registers,
      collect() {
        const core = metrics.core;
        if (core?.ready) this.set(Number(core.projector.lag(core.tree.size)));
        else this.reset();
      },
    });
    new Gauge({
      name: 'trailmark_checkpoint_size',
      help: 'Tree size of the latest signed checkpoint.',
      registers,
      collect() {
        const latest = metrics.core?.publisher.latest();
        if (latest) this.set(Number(latest.size));
        else this.reset();
      },
    });
    new Gauge({
      name: 'trailmark_checkpoint_age_seconds',
      help: 'Seconds since the latest checkpoint was signed (absent before the first one).',
      registers,
      collect() {
        const latest = metrics.core?.publisher.latest();
        if (latest) this.set(Math.max(0, (Date.now() - Date.parse(latest.signedAt)) / 1000));
        else this.reset();
      },
    });
    this.witnessFailures = new Counter({
      name: 'trailmark_witness_failures_total',
      help: 'Checkpoint submissions to a witness that did not return its cosignature, by outcome (conflict, refused, unreachable).',
      labelNames: ['witness', 'outcome'] as const,
      registers,
    });
    this.witnessDuration = new Histogram({
      name: 'trailmark_witness_request_duration_seconds',
      help: 'Duration of a checkpoint submission to a witness (add-checkpoint, resends after 409 included).',
      labelNames: ['witness'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    new Gauge({
      name: 'trailmark_witness_cosigned_size',
      help: 'Tree size of the latest checkpoint of this log that the witness cosigned.',
      labelNames: ['witness'] as const,
      registers,
      collect() {
        this.reset();
        for (const status of metrics.core?.witnesses?.status() ?? []) {
          if (status.cosignedSize !== undefined) this.set({ witness: status.name }, Number(status.cosignedSize));
        }
      },
    });
  }

  /** Follows the ledger: counts the leaves of each batch the sequencer integrates from now on. */
  attach(core: LedgerCore): void {
    if (this.core) throw new Error('LedgerMetrics is already attached to a ledger');
    this.core = core;
    core.witnesses?.observe({
      submitted: (witness, outcome, seconds) => {
        this.witnessDuration.observe({ witness }, seconds);
        if (outcome !== 'cosigned') this.witnessFailures.inc({ witness, outcome });
      },
    });
    attachAlertMetrics(this.registry, core);
    let size = core.tree.size;
    core.sequencer.onIntegrated((treeSize) => {
      const added = Number(treeSize - size);
      size = treeSize;
      if (added <= 0) return;
      this.eventsRecorded.inc(added);
      this.appendBatchSize.observe(added);
    });
  }

  observeRequest(method: string, route: string | undefined, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route: route ?? UNMATCHED_ROUTE, status: String(status) }, seconds);
  }
}
