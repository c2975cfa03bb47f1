import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresReadModel, openReadModel } from '@trailmark/projections';
import { readModelContract } from './support/read-model-contract.js';

// The same contract on a real PostgreSQL server, when TRAILMARK_TEST_PG_URL names one (.ci/run starts one).
// Each test gets a schema of its own, so test files and runs never share tables.
const url = process.env['TRAILMARK_TEST_PG_URL'];

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

const newSchema = () => `trailmark_test_${randomBytes(6).toString('hex')}`;

if (url === undefined || url === '') {
  test.skip('read model contract on PostgreSQL [set TRAILMARK_TEST_PG_URL to run it; .ci/run starts a server and sets it]', () => {});
} else {
  readModelContract('PostgreSQL', async () => {
    const schema = newSchema();
    return {
      open: () => openReadModel({ url, dataDir: '/nonexistent', schema }),
      indexes: async () => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          const { rows } = await client.query<{ indexname: string }>('SELECT indexname FROM pg_indexes WHERE schemaname = $1', [schema]);
          return rows.map((row) => row.indexname);
        } finally {
          await client.end();
        }
      },
      dispose: () => dropSchema(schema),
    };
  });

  describe('PostgreSQL read model schema', () => {
    test('tables of another schema version are replaced on open; replicas opening together do not collide', async () => {
      const schema = newSchema();
      try {
        const first = await PostgresReadModel.open(url, { schema });
        await first.close();
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        await client.query(`UPDATE ${schema}.read_model_schema SET version = 999`);
        await client.query(`UPDATE ${schema}.projection_state SET leaf_count = 7`);
        await client.end();
        const models = await Promise.all([1, 2, 3].map(() => PostgresReadModel.open(url, { schema })));
        for (const model of models) expect(await model.position()).toEqual({ position: 'start', leafCount: 0n });
        await Promise.all(models.map((model) => model.close()));
      } finally {
        await dropSchema(schema);
      }
    });

    test('refuses a schema name it would have to quote', async () => {
      await expect(PostgresReadModel.open(url, { schema: 'x; DROP TABLE y' })).rejects.toThrow(RangeError);
    });
  });
}
