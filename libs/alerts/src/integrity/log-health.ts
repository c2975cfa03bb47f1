/**
 * What the service knows of its own log at one instant, sampled by the ledger (not read from events: a halted
 * sequencer writes none). The input of the log-integrity rules, for the operator's tenant-less channel.
 */
export interface LogHealth {
  /** The sampling instant, milliseconds since the epoch (the service's monotonic-anchored clock). */
  readonly at: number;
  /** The tree's size then: where in the log the alert was seen (it has no events as evidence). */
  readonly treeSize: number;
  /** The sequencer stopped taking events, and why (a failed write, a tree that does not match the store...). */
  readonly sequencerHalted?: string;
  readonly checkpoints: {
    /** How often a checkpoint is due. */
    readonly intervalMs: number;
    /** When the last one was published; absent when none has been since the service started. */
    readonly lastPublishedAt?: number;
    /** When the service started publishing, what an absent lastPublishedAt is counted from. */
    readonly since: number;
  };
  /** Each witness that refuses this log's checkpoints as inconsistent with what it cosigned, and its words. */
  readonly refusingWitnesses: readonly { readonly witness: string; readonly reason: string }[];
}

/** What an integrity rule saw: one open alert per rule and key, as for the event rules. Always critical. */
export interface IntegrityFinding {
  readonly key: string;
  readonly summary: string;
}

/** A log-integrity rule: a plain function of one health sample, every finding it answers for it. */
export interface IntegrityRule {
  readonly name: string;
  readonly description: string;
  evaluate(health: LogHealth): readonly IntegrityFinding[];
}
