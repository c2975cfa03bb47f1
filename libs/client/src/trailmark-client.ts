import { CLIENT_ROUTES } from './routes.js';
import { DEFAULT_RETRY, isRetryable, retryDelayMs, type RetryPolicy } from './retry.js';
import type { ApiErrorBody, IdentityEvent, Receipt } from './types.js';

export interface TrailmarkClientOptions {
  /** The ledger's base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** A bearer token with the `ingest` role for the events' tenants. */
  readonly token: string;
  readonly retry?: RetryPolicy;
  /** Injected in tests; `globalThis.fetch` by default. */
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The ledger refused a request, or still answered 429/503 after the last try. */
export class TrailmarkApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(`${status} ${code}: ${message}`);
    this.name = 'TrailmarkApiError';
  }
}

/**
 * Records identity events. Every event gets an id before its first try (a random UUID unless the caller gave one),
 * so a retry after a timeout or a 503 is the same event again, which the ledger answers with the first receipt
 * instead of recording twice.
 */
export class TrailmarkClient {
  private readonly retry: RetryPolicy;
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: TrailmarkClientOptions) {
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async record(event: IdentityEvent): Promise<Receipt> {
    return this.send<Receipt>(CLIENT_ROUTES.record.path, withId(event));
  }

  /** Up to 1,000 events, all or nothing; the receipts in the order given. */
  async recordBatch(events: readonly IdentityEvent[]): Promise<Receipt[]> {
    const body = { events: events.map(withId) };
    return (await this.send<{ events: Receipt[] }>(CLIENT_ROUTES.recordBatch.path, body)).events;
  }

  private async send<T>(path: string, body: unknown): Promise<T> {
    const text = JSON.stringify(body);
    for (let attempt = 0; ; attempt++) {
      const response = await this.fetch(new URL(path, this.options.url), {
        method: 'POST',
        headers: { authorization: `Bearer ${this.options.token}`, 'content-type': 'application/json' },
        body: text,
      });
      if (response.ok) return (await response.json()) as T;
      if (!isRetryable(response.status) || attempt + 1 >= this.retry.attempts) throw await apiError(response);
      await response.body?.cancel();
      await this.sleep(retryDelayMs(this.retry, attempt, response.headers.get('retry-after')));
    }
  }
}

function withId(event: IdentityEvent): IdentityEvent {
  return event.id === undefined ? { ...event, id: globalThis.crypto.randomUUID() } : event;
}

async function apiError(response: Response): Promise<TrailmarkApiError> {
  const body = (await response.json().catch(() => undefined)) as ApiErrorBody | undefined;
  const error = body?.error;
  return new TrailmarkApiError(response.status, error?.code ?? 'http_error', error?.message ?? response.statusText, error?.details);
}
