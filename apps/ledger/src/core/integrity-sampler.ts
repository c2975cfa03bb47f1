import { Logger } from '@nestjs/common';
import { IntegrityWatch, noChanges, type AlertOutbox, type AlertRecord, type LogHealth, type SqliteAlertStore } from '@trailmark/alerts';

/** What the sampler reads of the ledger's state at each tick. */
export interface IntegritySources {
  /** Why the sequencer stopped taking events, while it does. */
  sequencerHalted(): string | undefined;
  treeSize(): bigint;
  /** The size of the checkpoint the log serves now. */
  servedSize(): bigint | undefined;
  /** Each witness refusing the log's checkpoints as inconsistent with what it cosigned. */
  refusingWitnesses(): LogHealth['refusingWitnesses'];
}

export interface IntegritySamplerOptions {
  readonly intervalMs: number;
  readonly alertStore: SqliteAlertStore;
  readonly outbox: AlertOutbox;
  /** Milliseconds since the epoch: the instant of a sample, which becomes the alert's raisedAt. */
  readonly nowMs?: () => number;
}

/**
 * Samples the ledger's own health every checkpoint interval, judges it with the integrity rules and stores each
 * alert raised in the operator's channel; the outbox then records it as alert.raised (retried while the sequencer
 * is halted, when nothing can enter the log: the stored alert and the log line are all there is until then).
 */
export class IntegritySampler {
  private readonly watch = new IntegrityWatch();
  private readonly nowMs: () => number;
  private readonly logger = new Logger('IntegritySampler');
  private timer: NodeJS.Timeout | undefined;
  private since = 0;
  /** When a sample last saw the log covered by a checkpoint, or a new checkpoint served. */
  private lastCovered: number | undefined;
  private lastServed: bigint | undefined;
  /** Samples in a row that found leaves no checkpoint covers. */
  private uncovered = 0;

  constructor(
    private readonly sources: IntegritySources,
    private readonly options: IntegritySamplerOptions,
  ) {
    this.nowMs = options.nowMs ?? Date.now;
  }

  start(): void {
    this.since = this.nowMs();
    this.lastServed = this.sources.servedSize();
    this.timer = setInterval(() => this.sample(), this.options.intervalMs);
    // The sampler alone must not keep the process alive.
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One tick: the alerts it raised, already stored. */
  sample(): AlertRecord[] {
    const health = this.health();
    const raised = this.watch.observe(health);
    if (raised.length === 0) return raised;
    // Alerts only, no engine position: the engine's thread owns that.
    this.options.alertStore.apply({ ...noChanges(), raised }, { position: 'start', leafCount: 0 });
    for (const alert of raised) this.logger.error(`integrity alert ${alert.rule} (${alert.id}): ${alert.summary}`);
    this.options.outbox.drain();
    return raised;
  }

  private health(): LogHealth {
    const at = this.nowMs();
    const served = this.sources.servedSize();
    const treeSize = this.sources.treeSize();
    // A quiet log signs nothing and is not late: overdue counts from when all its leaves were last covered (an
    // empty tree needs no checkpoint). With a witness policy, covered means served: cosigned by the quorum.
    if (served !== this.lastServed || (served ?? 0n) >= treeSize) {
      this.lastCovered = at;
      this.uncovered = 0;
    } else this.uncovered += 1;
    this.lastServed = served;
    // Late by samples as well as by time: a process stalled for ten intervals stalled its publisher too.
    const last = this.lastCovered ?? this.since;
    const lastPublishedAt = Math.max(last, at - this.uncovered * this.options.intervalMs);
    const halted = this.sources.sequencerHalted();
    return {
      at,
      treeSize: Number(treeSize),
      ...(halted !== undefined && { sequencerHalted: halted }),
      checkpoints: { intervalMs: this.options.intervalMs, since: this.since, lastPublishedAt },
      refusingWitnesses: this.sources.refusingWitnesses(),
    };
  }
}
