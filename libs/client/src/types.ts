/** An identity event as `POST /v1/events` takes it (the OpenAPI document's IdentityEvent). */
export interface IdentityEvent {
  /** A UUID chosen by the client: the event's idempotency key in its tenant. The client fills one in when absent. */
  readonly id?: string;
  readonly tenant: string;
  readonly action: string;
  readonly outcome: 'success' | 'failure' | 'error';
  readonly actor: { readonly type: string; readonly id: string; readonly [key: string]: unknown };
  readonly targets: readonly { readonly type: string; readonly id: string; readonly [key: string]: unknown }[];
  readonly reason?: string;
  readonly occurredAt?: string;
  readonly context?: Record<string, unknown>;
  readonly changes?: Record<string, unknown>;
  readonly metadata?: Record<string, unknown>;
}

/** What the ledger answers for a recorded event (201, or 200 for a retry of the same content). */
export interface Receipt {
  readonly id: string;
  readonly leafIndex: number;
  readonly time: string;
}

/** The API's error body: `{"error":{"code","message","details"}}`. */
export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: Record<string, unknown> };
}
