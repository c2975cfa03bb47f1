import { readFileSync } from 'node:fs';
import type Database from 'better-sqlite3';
import {
  parseVerifierKey,
  SqliteCosignatureStore,
  WitnessClient,
  WitnessedCheckpoints,
  type CheckpointPublisher,
  type CheckpointStore,
  type ServedCheckpoint,
  type SignedCheckpoint,
  type WitnessObserver,
  type WitnessStatus,
} from '@trailmark/checkpoint';
import { parseWitnessPolicy, type Hash, type WitnessPolicy } from '@trailmark/proofs';
import { ConfigError, type LedgerConfig } from '../config.js';

/**
 * The ledger's witnessing, when TRAILMARK_WITNESS_POLICY names witnesses: the client that submits
 * each checkpoint to them, the cosignatures it keeps beside the checkpoints, and which checkpoint
 * is served.
 */
export class LedgerWitnesses {
  private readonly client: WitnessClient;
  private readonly served: WitnessedCheckpoints;
  private observer: WitnessObserver | undefined;

  constructor(
    readonly policy: WitnessPolicy,
    parts: {
      db: Database.Database;
      publisher: CheckpointPublisher;
      checkpoints: CheckpointStore;
      verifierKey: string;
      proveConsistency: (from: bigint, to: bigint) => Hash[];
      serveUnwitnessed: boolean;
      onError: (error: Error) => void;
    },
  ) {
    const cosignatures = new SqliteCosignatureStore(parts.db);
    this.client = new WitnessClient({
      policy,
      logVerifier: parseVerifierKey(parts.verifierKey),
      publisher: parts.publisher,
      proveConsistency: parts.proveConsistency,
      cosignatures,
      onChange: () => this.served.changed(),
      onError: parts.onError,
      observer: { submitted: (...args) => this.observer?.submitted(...args) },
    });
    this.served = new WitnessedCheckpoints({
      policy,
      checkpoints: parts.checkpoints,
      cosignatures,
      latestSigned: () => parts.publisher.latest(),
      serveUnwitnessed: parts.serveUnwitnessed,
      witnessesDown: (size) => this.client.allFailing(size),
    });
  }

  /** Reads and parses the policy file the configuration names; undefined without one. */
  static loadPolicy(config: LedgerConfig): WitnessPolicy | undefined {
    if (config.witnessPolicy === undefined) return undefined;
    let text: string;
    try {
      text = readFileSync(config.witnessPolicy, 'utf8');
    } catch (error) {
      throw new ConfigError(`TRAILMARK_WITNESS_POLICY=${config.witnessPolicy}: cannot read it: ${(error as Error).message}`);
    }
    let policy: WitnessPolicy;
    try {
      policy = parseWitnessPolicy(text);
    } catch (error) {
      throw new ConfigError(`TRAILMARK_WITNESS_POLICY=${config.witnessPolicy}: ${(error as Error).message}`);
    }
    const unreachable = policy.witnesses.find((witness) => witness.url === undefined);
    if (unreachable !== undefined) {
      throw new ConfigError(`TRAILMARK_WITNESS_POLICY=${config.witnessPolicy}: witness ${unreachable.name} has no URL to submit checkpoints to`);
    }
    return policy;
  }

  start(): void {
    this.client.start();
  }

  stop(): void {
    this.client.stop();
    this.served.stop();
  }

  /** The served checkpoint (see chooseServedCheckpoint). */
  servedCheckpoint(): ServedCheckpoint | undefined {
    return this.served.served();
  }

  /** A stored checkpoint with the cosignatures collected for it. */
  withCosignatures(checkpoint: SignedCheckpoint): ServedCheckpoint {
    return this.served.withCosignatures(checkpoint);
  }

  waitForServed(size: bigint): Promise<ServedCheckpoint> {
    return this.served.waitFor(size);
  }

  status(): WitnessStatus[] {
    return this.client.status();
  }

  /** Metrics follow each submission from now on. */
  observe(observer: WitnessObserver): void {
    this.observer = observer;
  }
}
