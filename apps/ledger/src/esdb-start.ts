import { setTimeout as sleep } from 'node:timers/promises';
import { EsdbEventStore } from '@trailmark/event-store';
import type { Logger } from 'pino';

const FIRST_RETRY_MS = 500;
const LONGEST_RETRY_MS = 5_000;

/** `trailmark serve` gave up reaching EventStoreDB: the CLI prints the message and exits non-zero. */
export class EventStoreDBUnreachableError extends Error {
  constructor(address: string, attempts: number, lastError: string) {
    super(
      `EventStoreDB at ${address} is unreachable after ${attempts} attempts (${lastError}): start it or correct ` +
        'ESDB_CONNECTION_STRING; TRAILMARK_ESDB_START_ATTEMPTS sets how often to try (0: keep trying)',
    );
    this.name = 'EventStoreDBUnreachableError';
  }
}

/**
 * Waits until EventStoreDB answers a read, logging each failed attempt with the server's address, so that a
 * ledger started before its store says what it waits for, and one pointed at the wrong address ends instead of
 * waiting silently. `attempts` 0: keeps trying.
 */
export async function awaitEventStoreDB(connectionString: string, attempts: number, logger: Logger): Promise<void> {
  const address = withoutCredentials(connectionString);
  const store = EsdbEventStore.connect(connectionString);
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await store.readAll({ from: 'start', maxCount: 1 });
        return;
      } catch (error) {
        const reason = firstLine(error);
        if (attempts !== 0 && attempt >= attempts) throw new EventStoreDBUnreachableError(address, attempt, reason);
        const retryInMs = Math.min(FIRST_RETRY_MS * 2 ** (attempt - 1), LONGEST_RETRY_MS);
        logger.warn(
          { address, attempt, attempts: attempts === 0 ? 'unbounded' : attempts, retryInMs, reason },
          `EventStoreDB at ${address} is unreachable (attempt ${attempt}${attempts === 0 ? '' : ` of ${attempts}`}): retrying`,
        );
        await sleep(retryInMs);
      }
    }
  } finally {
    await store.close();
  }
}

/** A connection string as it may be shown: `esdb://user:secret@host` loses its user information. */
export function withoutCredentials(connectionString: string): string {
  return connectionString.replace(/^(esdb(?:\+discover)?:\/\/)[^@/]*@/i, '$1');
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.replace(/\. Resolution note:.*$/, '');
}
