import { join } from 'node:path';
import { PostgresReadModel } from './postgres/postgres-read-model.js';
import type { ReadModelStore } from './read-model-store.js';
import { SqliteReadModel } from './sqlite/sqlite-read-model.js';

/** The file the embedded read model uses in the data directory, beside the event store's. */
export const SQLITE_READ_MODEL_FILE = 'projections.db';

/**
 * The read model a deployment asked for: PostgreSQL when `url` is a `postgres://` or `postgresql://` URL,
 * else SQLite in `<dataDir>/projections.db`.
 */
export async function openReadModel(options: {
  readonly url?: string;
  readonly dataDir: string;
  /** PostgreSQL only: the schema holding the tables (PostgresReadModelOptions.schema). */
  readonly schema?: string;
}): Promise<ReadModelStore> {
  const { url } = options;
  if (url === undefined || url === '') return SqliteReadModel.open(join(options.dataDir, SQLITE_READ_MODEL_FILE));
  if (/^postgres(ql)?:\/\//.test(url)) return PostgresReadModel.open(url, options.schema === undefined ? {} : { schema: options.schema });
  throw new RangeError(`a read model URL starts with postgres:// or postgresql://, not ${url.split(':')[0]}:`);
}
