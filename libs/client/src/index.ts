export { TrailmarkApiError, TrailmarkClient, type TrailmarkClientOptions } from './trailmark-client.js';
export { DEFAULT_RETRY, type RetryPolicy, isRetryable, retryDelayMs } from './retry.js';
export { CLIENT_ROUTES } from './routes.js';
export type { ApiErrorBody, IdentityEvent, Receipt } from './types.js';
