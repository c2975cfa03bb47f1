import {
  encodeBase64,
  openNote,
  verifyCosignature,
  type Hash,
  type NoteVerifier,
  type PolicyWitness,
  type WitnessPolicy,
} from '@trailmark/proofs';
import type { CosignatureStore } from './cosignature-store.js';
import { WitnessConflictError } from './errors.js';
import { formatKeyId } from './keys.js';
import type { SignedCheckpoint } from './signed-checkpoint-store.js';

/** What the client reads of the publisher: its latest checkpoint and the next ones as they come. */
export interface PublishedCheckpoints {
  latest(): SignedCheckpoint | undefined;
  /** Resolves with the first checkpoint of at least `size`; rejects once the publisher stopped. */
  waitFor(size: bigint): Promise<SignedCheckpoint>;
}

/** How a submission to one witness ended, for metrics. */
export type WitnessOutcome = 'cosigned' | 'conflict' | 'refused' | 'unreachable';

export interface WitnessObserver {
  submitted(witness: string, outcome: WitnessOutcome, seconds: number): void;
}

export interface WitnessStatus {
  /** the policy's name for the witness */
  name: string;
  url: string;
  /** the largest checkpoint size it cosigned for this log (as this log has it stored) */
  cosignedSize: bigint | undefined;
  /** submissions that failed since its last cosignature */
  consecutiveFailures: number;
  failures: number;
  lastError: string | undefined;
  /** set while the witness refuses this log's checkpoints as inconsistent with what it cosigned (409/422) */
  conflict: string | undefined;
  /** the duration of the last submission, in seconds */
  lastLatencySeconds: number | undefined;
}

export interface WitnessClientOptions {
  policy: WitnessPolicy;
  /** the log's own key: the witness's answer is opened as a note beside the log's signature */
  logVerifier: NoteVerifier;
  publisher: PublishedCheckpoints;
  /** RFC 6962 consistency proof between two sizes of the log's tree (both at most the tree's size) */
  proveConsistency(from: bigint, to: bigint): Hash[];
  cosignatures: CosignatureStore;
  /** called after a cosignature was stored or a witness's state changed */
  onChange?: () => void;
  /** a witness refused a checkpoint as inconsistent (WitnessConflictError), or another failure; reported once per new message */
  onError?: (error: Error) => void;
  observer?: WitnessObserver;
  requestTimeoutMs?: number;
  /** the first retry waits initialMs, each next one twice as long, up to maxMs */
  retry?: { initialMs: number; maxMs: number };
  fetch?: typeof fetch;
}

/** At most this many resends when a witness answers 409 with the size it holds. */
const MAX_RESENDS = 3;

/** A submission that failed: `conflict` when the witness says the checkpoint is inconsistent with what it cosigned. */
class SubmissionFailure extends Error {
  constructor(
    readonly outcome: Exclude<WitnessOutcome, 'cosigned'>,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Submits each checkpoint the publisher signs to the policy's witnesses (C2SP tlog-witness
 * add-checkpoint), checks and stores the cosignatures they answer with. It runs beside the
 * publisher, never in its path: a slow or dead witness delays only its own cosignature. Each
 * witness gets the newest checkpoint (older ones it missed are skipped: a cosignature on the newest
 * vouches for the whole prefix), and a failed submission is retried with exponential backoff.
 */
export class WitnessClient {
  private readonly submitters: WitnessSubmitter[];
  private stopped = false;

  constructor(private readonly options: WitnessClientOptions) {
    this.submitters = options.policy.witnesses.map((witness) => new WitnessSubmitter(witness, options));
  }

  /** Follows the publisher until stop(). */
  start(): void {
    const latest = this.options.publisher.latest();
    if (latest !== undefined) this.offer(latest);
    void this.follow((latest?.size ?? -1n) + 1n);
  }

  stop(): void {
    this.stopped = true;
    for (const submitter of this.submitters) submitter.stop();
  }

  status(): WitnessStatus[] {
    return this.submitters.map((submitter) => submitter.status());
  }

  /** True when no witness is being asked or waited on for the latest checkpoint: every one not cosigning it failed its last try. */
  allFailing(size: bigint): boolean {
    return this.submitters.every((submitter) => (submitter.status().cosignedSize ?? -1n) >= size || submitter.failing);
  }

  private async follow(next: bigint): Promise<void> {
    while (!this.stopped) {
      let checkpoint: SignedCheckpoint;
      try {
        checkpoint = await this.options.publisher.waitFor(next);
      } catch {
        return; // the publisher stopped
      }
      this.offer(checkpoint);
      next = checkpoint.size + 1n;
    }
  }

  private offer(checkpoint: SignedCheckpoint): void {
    for (const submitter of this.submitters) submitter.offer(checkpoint);
    this.options.onChange?.();
  }
}

class WitnessSubmitter {
  private readonly label: string;
  private readonly url: string;
  private cosignedSize: bigint | undefined;
  /** the size the witness said it holds (409), when it differs from what this log stored */
  private witnessSize: bigint | undefined;
  private target: SignedCheckpoint | undefined;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private backoffMs: number;
  private consecutiveFailures = 0;
  private failures = 0;
  private lastError: string | undefined;
  private conflict: string | undefined;
  private lastLatencySeconds: number | undefined;
  private readonly abort = new AbortController();
  private stopped = false;

  constructor(
    private readonly witness: PolicyWitness,
    private readonly options: WitnessClientOptions,
  ) {
    if (witness.url === undefined) throw new Error(`witness ${witness.name} has no URL in the policy: a log needs it to submit`);
    this.url = `${witness.url.replace(/\/+$/, '')}/add-checkpoint`;
    this.label = `${witness.key.name}+${formatKeyId(witness.key.keyId)}`;
    this.cosignedSize = options.cosignatures.latestCosignedBy(this.label);
    this.backoffMs = this.retry.initialMs;
  }

  get failing(): boolean {
    return this.consecutiveFailures > 0;
  }

  status(): WitnessStatus {
    return {
      name: this.witness.name,
      url: this.witness.url!,
      cosignedSize: this.cosignedSize,
      consecutiveFailures: this.consecutiveFailures,
      failures: this.failures,
      lastError: this.lastError,
      conflict: this.conflict,
      lastLatencySeconds: this.lastLatencySeconds,
    };
  }

  offer(checkpoint: SignedCheckpoint): void {
    if (this.target !== undefined && this.target.size >= checkpoint.size) return;
    this.target = checkpoint;
    // While a retry waits out its backoff, a newer checkpoint waits with it: a witness that is down is not hammered.
    if (!this.running && this.timer === undefined) void this.run();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.abort.abort();
  }

  private get retry(): { initialMs: number; maxMs: number } {
    return this.options.retry ?? { initialMs: 500, maxMs: 60_000 };
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (!this.stopped && this.target !== undefined && this.target.size > (this.cosignedSize ?? -1n)) {
        const checkpoint = this.target;
        const started = performance.now();
        try {
          await this.submit(checkpoint);
          this.succeeded((performance.now() - started) / 1000);
        } catch (error) {
          if (this.stopped) return;
          this.failed(error, (performance.now() - started) / 1000);
          this.timer = setTimeout(() => {
            this.timer = undefined;
            void this.run();
          }, this.backoffMs);
          this.timer.unref();
          this.backoffMs = Math.min(this.backoffMs * 2, this.retry.maxMs);
          return;
        }
      }
    } finally {
      this.running = false;
    }
  }

  private succeeded(seconds: number): void {
    this.lastLatencySeconds = seconds;
    this.options.observer?.submitted(this.witness.name, 'cosigned', seconds);
    this.consecutiveFailures = 0;
    this.lastError = undefined;
    this.conflict = undefined;
    this.backoffMs = this.retry.initialMs;
    this.options.onChange?.();
  }

  private failed(error: unknown, seconds: number): void {
    const failure =
      error instanceof SubmissionFailure ? error : new SubmissionFailure('unreachable', `POST ${this.url}: ${reason(error)}`);
    this.lastLatencySeconds = seconds;
    this.options.observer?.submitted(this.witness.name, failure.outcome, seconds);
    this.consecutiveFailures++;
    this.failures++;
    const message = `witness ${this.witness.name}: ${failure.message}`;
    const repeated = message === (this.conflict ?? this.lastError);
    this.lastError = message;
    this.conflict = failure.outcome === 'conflict' ? message : undefined;
    if (!repeated) {
      this.options.onError?.(failure.outcome === 'conflict' ? new WitnessConflictError(this.witness.name, message) : new Error(message));
    }
    this.options.onChange?.();
  }

  /** One add-checkpoint exchange, resending from the witness's size on 409; stores the cosignature. */
  private async submit(checkpoint: SignedCheckpoint): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const old = this.witnessSize ?? this.cosignedSize ?? 0n;
      if (old > checkpoint.size) {
        throw new SubmissionFailure(
          'refused',
          `it has cosigned size ${old} of this log, beyond the checkpoint of size ${checkpoint.size}: ` +
            'this ledger no longer has checkpoints it signed (restored from an older backup?); waiting for the log to grow past it',
        );
      }
      const proof = old === 0n ? [] : this.options.proveConsistency(old, checkpoint.size);
      const body = `old ${old}\n${proof.map((hash) => `${encodeBase64(hash)}\n`).join('')}\n${checkpoint.note}`;
      const response = await (this.options.fetch ?? fetch)(this.url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body,
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.options.requestTimeoutMs ?? 10_000)]),
      });
      const text = await response.text();
      if (response.status === 200) {
        this.store(checkpoint, text);
        return;
      }
      if (response.status === 409) {
        const held = /^(0|[1-9][0-9]*)\n$/.exec(text);
        if (held === null) throw new SubmissionFailure('refused', `409 with a body that is not a tree size: ${JSON.stringify(text.slice(0, 100))}`);
        const size = BigInt(held[1]!);
        if (size === old) {
          throw new SubmissionFailure(
            'conflict',
            `409: it holds a different root for size ${size} than this log's checkpoint of that size (a second root for one size)`,
          );
        }
        this.witnessSize = size;
        if (attempt + 1 >= MAX_RESENDS) throw new SubmissionFailure('refused', `409 ${MAX_RESENDS} times; it now holds size ${size}`);
        continue;
      }
      if (response.status === 422) {
        throw new SubmissionFailure(
          'conflict',
          `422: the consistency proof from size ${old} to ${checkpoint.size} does not verify against the checkpoint it ` +
            `cosigned at size ${old}: this log's checkpoint of size ${checkpoint.size} does not extend it (the log forked)`,
        );
      }
      const why: Record<number, string> = {
        400: 'the request is malformed',
        403: "none of the checkpoint's signatures verifies with a key it trusts for this origin",
        404: 'it does not witness this origin',
      };
      throw new SubmissionFailure('refused', `HTTP ${response.status}: ${why[response.status] ?? text.slice(0, 200).trim()}`);
    }
  }

  /** Checks that the answer holds this witness's cosignature/v1 on the checkpoint, then keeps it. */
  private store(checkpoint: SignedCheckpoint, answer: string): void {
    if (answer === '' || !answer.endsWith('\n') || !answer.split('\n').slice(0, -1).every((line) => line.startsWith('\u2014 '))) {
      throw new SubmissionFailure('refused', '200 with a body that is not note signature lines');
    }
    const { text, unverified } = openNote(checkpoint.note + answer, [this.options.logVerifier]);
    const signature = unverified.find((s) => s.name === this.witness.key.name && s.keyId === this.witness.key.keyId);
    if (signature === undefined) throw new SubmissionFailure('refused', `200 without a cosignature by its key ${this.label}`);
    try {
      verifyCosignature(this.witness.key, text, signature);
    } catch (error) {
      throw new SubmissionFailure('refused', `200 with a cosignature that does not verify: ${reason(error)}`);
    }
    const keyIdAndSignature = new Uint8Array(4 + signature.signature.length);
    new DataView(keyIdAndSignature.buffer).setUint32(0, signature.keyId);
    keyIdAndSignature.set(signature.signature, 4);
    this.options.cosignatures.add(checkpoint.size, this.label, `\u2014 ${signature.name} ${encodeBase64(keyIdAndSignature)}\n`);
    this.cosignedSize = checkpoint.size;
    this.witnessSize = undefined;
  }
}

function reason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return 'no answer in time';
  const cause = error.cause as NodeJS.ErrnoException | undefined;
  return cause?.code ?? cause?.message ?? error.message;
}
