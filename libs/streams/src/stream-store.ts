import type { StreamDefinition, StreamProgress } from './stream-definition.js';

/**
 * Where streams, their cursors and their secrets are kept, outside the log. Contract:
 * - `create` stores a definition, its secret and its starting cursor together, or nothing;
 * - `advance` moves a cursor forward only after the sink acknowledged everything before it, and is durable
 *   when it returns: a restart resumes from the last cursor advanced, so a batch is at worst delivered again;
 * - `secretOf` is the only way out for a secret; `list` and `get` never carry it.
 */
export interface StreamStore {
  create(definition: StreamDefinition, secret: string | undefined, cursor: bigint): void;
  /** `secret`: undefined keeps the stored one, null removes it. */
  update(definition: StreamDefinition, secret?: string | null): void;
  delete(id: string): boolean;
  get(id: string): StreamDefinition | undefined;
  list(tenant?: string): StreamDefinition[];
  secretOf(id: string): string | undefined;
  progress(id: string): StreamProgress | undefined;
  /** The sink took every record before `cursor` (its range ends there): `delivered` more records, a success now. */
  advance(id: string, cursor: bigint, delivered: number, at: string): void;
  /** Leaves before `cursor` hold nothing for the stream: scanned, but the range stays open until a batch closes it. */
  skip(id: string, cursor: bigint): void;
  /** A delivery attempt failed; `failing` once the retries of one batch are exhausted. */
  recordFailure(id: string, error: string, failing: boolean): void;
  /** The retries of a batch are spent: the stream is failing (until its next success); counts no attempt. */
  markFailing(id: string, error: string): void;
  /** Replay: the cursor goes back (or forward) to `cursor`, whatever it was. */
  resetCursor(id: string, cursor: bigint): void;
  close(): void;
}
