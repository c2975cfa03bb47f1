import { resolve } from 'node:path';

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
  /** TRAILMARK_ALERTS=off: no alert engine (a ledger whose log holds only what clients sent). Default on. */
  readonly alerts?: boolean;
}

export class ConfigError extends Error {}

export const DEFAULT_ORIGIN = 'trailmark.local/log';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LedgerConfig {
  const production = env.NODE_ENV === 'production';
  const devToken = nonEmpty(env.TRAILMARK_DEV_TOKEN);
  if (devToken !== undefined && production) {
    throw new ConfigError('TRAILMARK_DEV_TOKEN is refused when NODE_ENV=production: give tokens in TRAILMARK_TOKENS_FILE');
  }
  return {
    port: integer(env, 'PORT', 8080, 0, 65_535),
    host: nonEmpty(env.HOST) ?? '0.0.0.0',
    dataDir: resolve(nonEmpty(env.TRAILMARK_DATA_DIR) ?? './data'),
    origin: nonEmpty(env.TRAILMARK_ORIGIN),
    signingKey: nonEmpty(env.TRAILMARK_SIGNING_KEY),
    checkpointIntervalMs: integer(env, 'TRAILMARK_CHECKPOINT_INTERVAL_MS', 1000, 10, 3_600_000),
    devToken,
    tokensFile: nonEmpty(env.TRAILMARK_TOKENS_FILE),
    production,
    esdbConnectionString: nonEmpty(env.ESDB_CONNECTION_STRING),
    readDbUrl: nonEmpty(env.TRAILMARK_READ_DB_URL),
    alerts: onOff(env, 'TRAILMARK_ALERTS', true),
  };
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
