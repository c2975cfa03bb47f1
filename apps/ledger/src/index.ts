export { loadConfig, ConfigError, DEFAULT_ORIGIN, type LedgerConfig } from './config.js';
export { LedgerCore, openLedgerDatabase, LEDGER_DB_FILE } from './core/ledger-core.js';
export { TrailmarkModule } from './trailmark.module.js';
export { createLedgerApp } from './http/create-app.js';
export { createLogger } from './logger.js';
export { hashTileBody, entryBundle } from './core/log-tiles.js';
