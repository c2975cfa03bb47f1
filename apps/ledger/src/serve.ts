import { chmodSync, mkdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DEFAULT_ESDB_START_ATTEMPTS, loadConfig, unknownSettings, type LedgerConfig } from './config.js';
import { checkDataDirStore } from './core/data-dir-store.js';
import { LedgerCore } from './core/ledger-core.js';
import { awaitEventStoreDB, withoutCredentials } from './esdb-start.js';
import { createLedgerApp } from './http/create-app.js';
import { createLogger } from './logger.js';

/**
 * After each full collection V8 lets the heap grow to a multiple of what survived, up to 4x when collections are
 * quick. Under sustained ingest the survivors include every request in flight, so the heap stayed near 180 MB
 * with 50 to 100 MB live. 1.5x keeps the service under 400 MB of RSS after a million events at the same ingest
 * rate (bench/ingest); the flag is read at each collection, so setting it at start is enough.
 */
const HEAP_GROWING_PERCENT = 50;

/** `trailmark serve` / `npm start`: runs the service until SIGINT or SIGTERM. */
export async function serve(env: NodeJS.ProcessEnv = process.env): Promise<NestFastifyApplication> {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  // The data dir holds personal details and the signing key: files the service creates are its user's alone.
  process.umask(0o077);
  // Before the configuration is read: a typo may be why it is refused.
  const unknown = unknownSettings(env);
  for (const { name, closest } of unknown) process.stderr.write(`trailmark: warning: ${name} is not a setting; did you mean ${closest}?\n`);
  const config: LedgerConfig = loadConfig(env);
  const logger = createLogger(config.logLevel);
  for (const { name, closest } of unknown) logger.warn({ variable: name, closest }, 'unknown TRAILMARK_* variable');
  keepPrivate(config.dataDir);
  // Also checked when the ledger opens the data dir; here first, so that a start on the wrong store does not wait for EventStoreDB.
  checkDataDirStore(config);
  if (config.esdbConnectionString !== undefined) {
    await awaitEventStoreDB(config.esdbConnectionString, config.esdbStartAttempts ?? DEFAULT_ESDB_START_ATTEMPTS, logger);
  }
  const app = await createLedgerApp(config, logger);
  await listen(app, config);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'stopping: draining requests, then closing the ledger');
      app.close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'stopping failed');
          process.exit(1);
        },
      );
    });
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const core = app.get(LedgerCore);
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info({ url, dataDir: config.dataDir, origin: core.signer.name, verifierKey: core.verifierKey }, 'trailmark ledger listening');
  process.stderr.write(
    `\nTrailmark ledger listening on ${url}\n` +
      `  data dir      ${config.dataDir}\n` +
      `  event store   ${config.esdbConnectionString === undefined ? 'embedded SQLite (ledger.db in the data dir)' : `EventStoreDB at ${withoutCredentials(config.esdbConnectionString)}`}\n` +
      `  verifier key  ${core.verifierKey}\n` +
      (config.devToken !== undefined
        ? '  credentials   Authorization: Bearer $TRAILMARK_DEV_TOKEN: an admin of every tenant, for local use only\n'
        : config.tokensFile !== undefined
          ? `  credentials   tokens from ${config.tokensFile}\n`
          : '  credentials   none configured: set TRAILMARK_DEV_TOKEN=<any secret> for local use, or TRAILMARK_TOKENS_FILE\n') +
      '\n',
  );
  return app;
}

/** The data dir (personal details, the signing key) is its user's alone, also when it was made before. */
function keepPrivate(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
}

/** Listens, or closes the ledger and says which address is taken: a port in use must not leave a process behind. */
async function listen(app: NestFastifyApplication, config: LedgerConfig): Promise<void> {
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app.close().catch(() => {});
    if ((error as { code?: unknown }).code === 'EADDRINUSE') {
      throw new Error(`${config.host}:${config.port} is in use by another process: stop it, or set PORT (or HOST) to a free address`, { cause: error });
    }
    throw error;
  }
}
