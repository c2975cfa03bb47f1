import { resolve } from 'node:path';
import { DEFAULT_CLOCK_STEP_MS } from '@trailmark/domain';
import { loadStreamSettings, type StreamSettings } from './stream-settings.js';

/** The service's configuration, read from the environment (README: Configuration). */
export interface LedgerConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** The log's name in its checkpoints; unset: the signing key's name, or `trailmark.local/log` for a new log. */
  readonly origin: string | undefined;
  /** A Go note signer key; unset: `<dataDir>/signing.key`, made on first start. */
  readonly signingKey: string | undefined;
  readonly checkpointIntervalMs: number;
  readonly devToken: string | undefined;
  readonly tokensFile: string | undefined;
  readonly production: boolean;
  readonly esdbConnectionString: string | undefined;
  /** The read models' database: a PostgreSQL URL; unset: SQLite in `<dataDir>/projections.db`. */
  readonly readDbUrl: string | undefined;
  /** A C2SP tlog-policy file naming the witnesses (with URLs) that cosign each checkpoint, and their quorum. */
  readonly witnessPolicy: string | undefined;
  /** With a policy: serve the latest signed checkpoint, marked unwitnessed, while the witnesses are down. */
  readonly serveUnwitnessed: boolean;
  /** HTTP timeouts (README: Configuration): a client that is slow to send its request is cut off, not waited for. */
  readonly http: HttpTimeouts;
  /** A step of the wall clock beyond this many ms is reported and not followed by server time. */
  readonly clockStepMs: number;
  /** Log streams; unset (configurations built in code): the defaults, private addresses refused. */
  readonly streams?: StreamSettings;
  /** Where the C2SP tlog-tiles API is served: a path starting and ending with "/" (`/log/`). */
  readonly tilesPrefix: string;
  /** Entry bundles for anyone (TRAILMARK_PUBLIC_ENTRIES); by default only for auditors of every tenant. */
  readonly publicEntries: boolean;
  /** TRAILMARK_ALERTS=off: no alert engine (a ledger whose log holds only what clients sent). Default on. */
  readonly alerts?: boolean;
  /** Requests each token may make per window, then 429 with Retry-After; unset (configurations built in code): none. */
  readonly rateLimit?: RateLimitSettings;
}

export interface RateLimitSettings {
  /** Requests per token and window; 0: no limit. */
  readonly max: number;
  readonly windowMs: number;
}

export interface HttpTimeouts {
  /** Time to receive a whole request, headers and body (Node's requestTimeout). */
  readonly requestTimeoutMs: number;
  /** Time to receive the request headers (Node's headersTimeout); at most requestTimeoutMs. */
  readonly headersTimeoutMs: number;
  /** How long an idle keep-alive connection stays open between requests. */
  readonly keepAliveTimeoutMs: number;
}

export class ConfigError extends Error {}

export const DEFAULT_ORIGIN = 'trailmark.local/log';

/** Per token and minute: a backstop against a runaway client, far above a batching recorder or a poller's needs. */
export const DEFAULT_RATE_LIMIT = 60_000;

/** Dev tokens that README examples and habit put in: refused wherever the service is reachable from outside. */
const PLACEHOLDER_DEV_TOKENS = new Set(['change-me', 'changeme', 'secret', 'password', 'token', 'dev', 'test', 'admin']);
const MIN_EXPOSED_DEV_TOKEN_LENGTH = 16;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LedgerConfig {
  const production = env.NODE_ENV === 'production';
  const devToken = nonEmpty(env.TRAILMARK_DEV_TOKEN);
  if (devToken !== undefined && production) {
    throw new ConfigError('TRAILMARK_DEV_TOKEN is refused when NODE_ENV=production: give tokens in TRAILMARK_TOKENS_FILE');
  }
  const host = nonEmpty(env.HOST) ?? '127.0.0.1';
  if (devToken !== undefined && !isLoopback(host) && (devToken.length < MIN_EXPOSED_DEV_TOKEN_LENGTH || PLACEHOLDER_DEV_TOKENS.has(devToken.toLowerCase()))) {
    throw new ConfigError(
      `TRAILMARK_DEV_TOKEN is a placeholder or shorter than ${MIN_EXPOSED_DEV_TOKEN_LENGTH} characters, and HOST=${host} is reachable ` +
        'from other machines: it is an all-tenant admin token. Use a long random one (openssl rand -hex 32), or listen on 127.0.0.1',
    );
  }
  return {
    port: integer(env, 'PORT', 8080, 0, 65_535),
    host,
    dataDir: resolve(nonEmpty(env.TRAILMARK_DATA_DIR) ?? './data'),
    origin: nonEmpty(env.TRAILMARK_ORIGIN),
    signingKey: nonEmpty(env.TRAILMARK_SIGNING_KEY),
    checkpointIntervalMs: integer(env, 'TRAILMARK_CHECKPOINT_INTERVAL_MS', 1000, 10, 3_600_000),
    devToken,
    tokensFile: nonEmpty(env.TRAILMARK_TOKENS_FILE),
    production,
    esdbConnectionString: nonEmpty(env.ESDB_CONNECTION_STRING),
    readDbUrl: nonEmpty(env.TRAILMARK_READ_DB_URL),
    witnessPolicy: nonEmpty(env.TRAILMARK_WITNESS_POLICY),
    serveUnwitnessed: flag(env, 'TRAILMARK_SERVE_UNWITNESSED'),
    http: httpTimeouts(env),
    clockStepMs: integer(env, 'TRAILMARK_CLOCK_STEP_MS', DEFAULT_CLOCK_STEP_MS, 1, 86_400_000),
    streams: loadStreamSettings(env),
    tilesPrefix: tilesPrefix(nonEmpty(env.TRAILMARK_TILES_PREFIX) ?? DEFAULT_TILES_PREFIX),
    publicEntries: flag(env, 'TRAILMARK_PUBLIC_ENTRIES'),
    alerts: onOff(env, 'TRAILMARK_ALERTS', true),
    rateLimit: {
      max: integer(env, 'TRAILMARK_RATE_LIMIT', DEFAULT_RATE_LIMIT, 0, 1_000_000_000),
      windowMs: integer(env, 'TRAILMARK_RATE_LIMIT_WINDOW_MS', 60_000, 1000, 86_400_000),
    },
  };
}

/** Only this machine can connect: 127.0.0.0/8, ::1 or localhost. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function httpTimeouts(env: NodeJS.ProcessEnv): HttpTimeouts {
  const requestTimeoutMs = integer(env, 'TRAILMARK_REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000);
  const headersTimeoutMs = integer(env, 'TRAILMARK_HEADERS_TIMEOUT_MS', Math.min(10_000, requestTimeoutMs), 100, 3_600_000);
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError(`TRAILMARK_HEADERS_TIMEOUT_MS=${headersTimeoutMs} exceeds TRAILMARK_REQUEST_TIMEOUT_MS=${requestTimeoutMs}: the headers are part of the request`);
  }
  const keepAliveTimeoutMs = integer(env, 'TRAILMARK_KEEP_ALIVE_TIMEOUT_MS', 5_000, 100, 3_600_000);
  return { requestTimeoutMs, headersTimeoutMs, keepAliveTimeoutMs };
}

export const DEFAULT_TILES_PREFIX = '/log/';

/** A URL path of plain segments; "/log" and "/log/" are the same prefix. Not under /v1: those paths are the JSON API's. */
function tilesPrefix(text: string): string {
  const prefix = `${text.replace(/\/+$/, '')}/`;
  const dotSegment = prefix.split('/').some((segment) => segment === '.' || segment === '..');
  if (!/^(\/[A-Za-z0-9._~-]+)*\/$/.test(prefix) || dotSegment || /^\/v1\//.test(prefix)) {
    throw new ConfigError(`TRAILMARK_TILES_PREFIX=${text} is not a URL path like /log/ (plain segments, not under /v1/)`);
  }
  return prefix;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === '' ? undefined : trimmed;
}

function onOff(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const text = nonEmpty(env[name]);
  if (text === undefined) return fallback;
  if (text !== 'on' && text !== 'off') throw new ConfigError(`${name}=${text} must be on or off`);
  return text === 'on';
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const text = nonEmpty(env[name]);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new ConfigError(`${name}=${text} is not a whole number from ${min} to ${max}`);
  }
  return value;
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const text = nonEmpty(env[name]);
  if (text === undefined || text === 'false' || text === '0') return false;
  if (text === 'true' || text === '1') return true;
  throw new ConfigError(`${name}=${text} is not true or false`);
}
