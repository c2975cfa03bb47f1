import { ConfigError } from './config.js';

/** How log streams run (README: Configuration). */
export interface StreamSettings {
  /** TRAILMARK_STREAM_ALLOW_PRIVATE=1: sinks may be on loopback, link-local and private addresses. */
  readonly allowPrivate: boolean;
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  readonly retryAttempts: number;
}

export function loadStreamSettings(env: NodeJS.ProcessEnv): StreamSettings {
  const allow = env.TRAILMARK_STREAM_ALLOW_PRIVATE?.trim() ?? '';
  if (!['', '0', '1'].includes(allow)) throw new ConfigError(`TRAILMARK_STREAM_ALLOW_PRIVATE=${allow} must be 1 or 0`);
  return {
    allowPrivate: allow === '1',
    retryInitialMs: whole(env, 'TRAILMARK_STREAM_RETRY_INITIAL_MS', 200, 1, 600_000),
    retryMaxMs: whole(env, 'TRAILMARK_STREAM_RETRY_MAX_MS', 30_000, 1, 3_600_000),
    retryAttempts: whole(env, 'TRAILMARK_STREAM_RETRY_ATTEMPTS', 6, 1, 1000),
  };
}

function whole(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const text = env[name]?.trim() ?? '';
  if (text === '') return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw new ConfigError(`${name}=${text} is not a whole number from ${min} to ${max}`);
  return value;
}
