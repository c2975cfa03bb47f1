import { resolve } from 'node:path';
import { parseSignerKey } from '@trailmark/checkpoint';
import { DEFAULT_CLOCK_STEP_MS } from '@trailmark/domain';
import { z } from 'zod';
import { closestName } from './closest-name.js';
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
  /** TRAILMARK_LOG_LEVEL; unset (configurations built in code): info. */
  readonly logLevel?: LogLevel;
  readonly esdbConnectionString: string | undefined;
  /**
   * `trailmark serve` on EventStoreDB: how many times it tries to reach the server before it gives up and exits
   * (TRAILMARK_ESDB_START_ATTEMPTS); 0: it keeps trying.
   */
  readonly esdbStartAttempts?: number;
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

/** pino's levels, and `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** About half a minute of backoff (esdb-start.ts): a server being started beside the ledger, as compose does, is waited for. */
export const DEFAULT_ESDB_START_ATTEMPTS = 8;

/** A setting as the environment gives it: trimmed, and unset when empty. */
const text = z.string().trim().transform((value) => (value === '' ? undefined : value)).optional();

function wholeOrUnset(min: number, max: number) {
  const message = `is not a whole number from ${min} to ${max}`;
  return text.pipe(z.string().regex(/^\d+$/, message).transform(Number).pipe(z.number().min(min, message).max(max, message)).optional());
}

function whole(fallback: number, min: number, max: number) {
  return wholeOrUnset(min, max).transform((value) => value ?? fallback);
}

const trueFalse = text.pipe(z.enum(['true', 'false', '1', '0'], 'is not true or false').optional()).transform((value) => value === 'true' || value === '1');

const onOff = (fallback: boolean) =>
  text.pipe(z.enum(['on', 'off'], 'must be on or off').optional()).transform((value) => (value === undefined ? fallback : value === 'on'));

const signingKey = text.pipe(
  z
    .string()
    .refine((key) => {
      try {
        parseSignerKey(key);
        return true;
      } catch {
        return false;
      }
    }, 'is not a signer key in Go\'s note format (PRIVATE+KEY+<name>+<8 hex>+<base64>); `trailmark keygen` makes one')
    .optional(),
);

/** The environment the service reads (README: Configuration); what is not here is not a setting. */
const environment = z.object({
  NODE_ENV: text,
  HOST: text,
  PORT: whole(8080, 0, 65_535),
  TRAILMARK_DATA_DIR: text,
  TRAILMARK_ORIGIN: text,
  TRAILMARK_SIGNING_KEY: signingKey,
  TRAILMARK_CHECKPOINT_INTERVAL_MS: whole(1000, 10, 3_600_000),
  TRAILMARK_DEV_TOKEN: text,
  TRAILMARK_TOKENS_FILE: text,
  TRAILMARK_LOG_LEVEL: text.pipe(z.enum(LOG_LEVELS, `is not a log level: one of ${LOG_LEVELS.join(', ')}`).optional().default('info')),
  ESDB_CONNECTION_STRING: text,
  TRAILMARK_ESDB_START_ATTEMPTS: whole(DEFAULT_ESDB_START_ATTEMPTS, 0, 1_000_000),
  TRAILMARK_READ_DB_URL: text,
  TRAILMARK_WITNESS_POLICY: text,
  TRAILMARK_SERVE_UNWITNESSED: trueFalse,
  TRAILMARK_REQUEST_TIMEOUT_MS: whole(30_000, 100, 3_600_000),
  TRAILMARK_HEADERS_TIMEOUT_MS: wholeOrUnset(100, 3_600_000),
  TRAILMARK_KEEP_ALIVE_TIMEOUT_MS: whole(5_000, 100, 3_600_000),
  TRAILMARK_CLOCK_STEP_MS: whole(DEFAULT_CLOCK_STEP_MS, 1, 86_400_000),
  TRAILMARK_TILES_PREFIX: text,
  TRAILMARK_PUBLIC_ENTRIES: trueFalse,
  TRAILMARK_ALERTS: onOff(true),
  TRAILMARK_RATE_LIMIT: whole(DEFAULT_RATE_LIMIT, 0, 1_000_000_000),
  TRAILMARK_RATE_LIMIT_WINDOW_MS: whole(60_000, 1000, 86_400_000),
});

/**
 * TRAILMARK_* names some part of Trailmark reads: those of `environment`, the log streams', the witness's, the
 * verifier's and the tests'. Any other is a typo, reported at start (unknownSettings).
 */
const KNOWN_TRAILMARK_NAMES = [
  ...Object.keys(environment.shape).filter((name) => name.startsWith('TRAILMARK_')),
  'TRAILMARK_STREAM_ALLOW_PRIVATE',
  'TRAILMARK_STREAM_RETRY_INITIAL_MS',
  'TRAILMARK_STREAM_RETRY_MAX_MS',
  'TRAILMARK_STREAM_RETRY_ATTEMPTS',
  'TRAILMARK_WITNESS_KEY',
  'TRAILMARK_WITNESS_LOGS',
  'TRAILMARK_WITNESS_DATA_DIR',
  'TRAILMARK_TOKEN',
  'TRAILMARK_TEST_PG_URL',
];

/** An unknown TRAILMARK_* variable, and the known name closest to it. */
export interface UnknownSetting {
  readonly name: string;
  readonly closest: string;
}

export function unknownSettings(env: NodeJS.ProcessEnv = process.env): UnknownSetting[] {
  return Object.keys(env)
    .filter((name) => name.startsWith('TRAILMARK_') && !KNOWN_TRAILMARK_NAMES.includes(name))
    .sort()
    .map((name) => ({ name, closest: closestName(name, KNOWN_TRAILMARK_NAMES) }));
}

/** TRAILMARK_LOG_LEVEL alone, for the commands that read no other setting (`trailmark witness serve`). */
export function loadLogLevel(env: NodeJS.ProcessEnv = process.env): LogLevel {
  return settingsOf(environment.pick({ TRAILMARK_LOG_LEVEL: true }), env).TRAILMARK_LOG_LEVEL;
}

/** Settings whose values an error message must not repeat: they land in logs. */
const SECRET_SETTINGS = new Set(['TRAILMARK_SIGNING_KEY', 'TRAILMARK_DEV_TOKEN']);

/** The settings `schema` reads from `env`, or a ConfigError naming the first bad one and its value. */
function settingsOf<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0]);
    throw new ConfigError(`${SECRET_SETTINGS.has(name) ? name : `${name}=${env[name]?.trim()}`} ${issue.message}`);
  }
  return parsed.data;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LedgerConfig {
  const settings = settingsOf(environment, env);
  const production = settings.NODE_ENV === 'production';
  const devToken = settings.TRAILMARK_DEV_TOKEN;
  if (devToken !== undefined && production) {
    throw new ConfigError('TRAILMARK_DEV_TOKEN is refused when NODE_ENV=production: give tokens in TRAILMARK_TOKENS_FILE');
  }
  const host = settings.HOST ?? '127.0.0.1';
  if (devToken !== undefined && !isLoopback(host) && (devToken.length < MIN_EXPOSED_DEV_TOKEN_LENGTH || PLACEHOLDER_DEV_TOKENS.has(devToken.toLowerCase()))) {
    throw new ConfigError(
      `TRAILMARK_DEV_TOKEN is a placeholder or shorter than ${MIN_EXPOSED_DEV_TOKEN_LENGTH} characters, and HOST=${host} is reachable ` +
        'from other machines: it is an all-tenant admin token. Use a long random one (openssl rand -hex 32), or listen on 127.0.0.1',
    );
  }
  return {
    port: settings.PORT,
    host,
    dataDir: resolve(settings.TRAILMARK_DATA_DIR ?? './data'),
    origin: settings.TRAILMARK_ORIGIN,
    signingKey: settings.TRAILMARK_SIGNING_KEY,
    checkpointIntervalMs: settings.TRAILMARK_CHECKPOINT_INTERVAL_MS,
    devToken,
    tokensFile: settings.TRAILMARK_TOKENS_FILE,
    production,
    logLevel: settings.TRAILMARK_LOG_LEVEL,
    esdbConnectionString: settings.ESDB_CONNECTION_STRING,
    esdbStartAttempts: settings.TRAILMARK_ESDB_START_ATTEMPTS,
    readDbUrl: settings.TRAILMARK_READ_DB_URL,
    witnessPolicy: settings.TRAILMARK_WITNESS_POLICY,
    serveUnwitnessed: settings.TRAILMARK_SERVE_UNWITNESSED,
    http: httpTimeouts(settings),
    clockStepMs: settings.TRAILMARK_CLOCK_STEP_MS,
    streams: loadStreamSettings(env),
    tilesPrefix: tilesPrefix(settings.TRAILMARK_TILES_PREFIX ?? DEFAULT_TILES_PREFIX),
    publicEntries: settings.TRAILMARK_PUBLIC_ENTRIES,
    alerts: settings.TRAILMARK_ALERTS,
    rateLimit: { max: settings.TRAILMARK_RATE_LIMIT, windowMs: settings.TRAILMARK_RATE_LIMIT_WINDOW_MS },
  };
}

/** Only this machine can connect: 127.0.0.0/8, ::1 or localhost. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function httpTimeouts(settings: z.infer<typeof environment>): HttpTimeouts {
  const requestTimeoutMs = settings.TRAILMARK_REQUEST_TIMEOUT_MS;
  const headersTimeoutMs = settings.TRAILMARK_HEADERS_TIMEOUT_MS ?? Math.min(10_000, requestTimeoutMs);
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError(`TRAILMARK_HEADERS_TIMEOUT_MS=${headersTimeoutMs} exceeds TRAILMARK_REQUEST_TIMEOUT_MS=${requestTimeoutMs}: the headers are part of the request`);
  }
  return { requestTimeoutMs, headersTimeoutMs, keepAliveTimeoutMs: settings.TRAILMARK_KEEP_ALIVE_TIMEOUT_MS };
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
