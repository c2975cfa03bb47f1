import { ApiError } from '../api-error.js';

export const DEFAULT_VIEWER_TOKEN_TTL_SECONDS = 15 * 60;
/** At least a minute (a console page load), at most an hour: a viewer token is for a sitting, not a credential to keep. */
export const MIN_VIEWER_TOKEN_TTL_SECONDS = 60;
export const MAX_VIEWER_TOKEN_TTL_SECONDS = 60 * 60;

/** The body of POST /v1/tenants/{tenant}/viewer-tokens: `{}` or `{"ttlSeconds": n}`; an empty body means the defaults. */
export function parseViewerTokenRequest(body: unknown): { ttlSeconds: number } {
  if (body === undefined || body === null) return { ttlSeconds: DEFAULT_VIEWER_TOKEN_TTL_SECONDS };
  if (typeof body !== 'object' || Array.isArray(body)) throw new ApiError(400, 'bad_request', 'the body is a JSON object: {"ttlSeconds": n}', { field: '' });
  const extra = Object.keys(body).find((key) => key !== 'ttlSeconds');
  if (extra !== undefined) throw new ApiError(400, 'bad_request', `unknown field "${extra}"; the only field is ttlSeconds`, { field: extra });
  const { ttlSeconds = DEFAULT_VIEWER_TOKEN_TTL_SECONDS } = body as { ttlSeconds?: unknown };
  if (
    typeof ttlSeconds !== 'number' ||
    !Number.isInteger(ttlSeconds) ||
    ttlSeconds < MIN_VIEWER_TOKEN_TTL_SECONDS ||
    ttlSeconds > MAX_VIEWER_TOKEN_TTL_SECONDS
  ) {
    throw new ApiError(
      400,
      'bad_request',
      `ttlSeconds must be a whole number of seconds from ${MIN_VIEWER_TOKEN_TTL_SECONDS} to ${MAX_VIEWER_TOKEN_TTL_SECONDS}`,
      { field: 'ttlSeconds' },
    );
  }
  return { ttlSeconds };
}
