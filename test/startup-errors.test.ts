// Fatal startup errors end `trailmark serve` (the real bin) with a non-zero exit and one line naming the cause,
// instead of a stack trace or a process that stays alive doing nothing. A start that hung would fail here by
// Jest's hang detector.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTrailmark, type CliRun } from './support/run-cli.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'trailmark-startup-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function serve(env: Record<string, string>): Promise<CliRun> {
  return runTrailmark(['serve'], { HOST: '127.0.0.1', PORT: '0', TRAILMARK_DATA_DIR: join(dir, 'data'), TRAILMARK_DEV_TOKEN: 'dev-token-for-tests', ...env });
}

/** The lines the CLI writes for the operator (stdout carries the JSON logs). */
function operatorLines(run: CliRun): string[] {
  return run.stderr.split('\n').filter((line) => line.startsWith('trailmark: '));
}

async function listening(): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

describe('trailmark serve: fatal startup errors', () => {
  test('a port in use: exits 1 naming the address', async () => {
    const taken = await listening();
    try {
      const port = (taken.address() as AddressInfo).port;
      const run = await serve({ PORT: String(port) });
      expect(run.code).toBe(1);
      expect(operatorLines(run)).toEqual([`trailmark: 127.0.0.1:${port} is in use by another process: stop it, or set PORT (or HOST) to a free address`]);
    } finally {
      taken.close();
    }
  });

  test('EventStoreDB unreachable: each retry logged with the address, then exit 1 after the configured attempts', async () => {
    // A port that was just free and is closed again: nothing listens there.
    const closed = await listening();
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const address = `esdb://127.0.0.1:${port}?tls=false`;
    const run = await serve({ ESDB_CONNECTION_STRING: address, TRAILMARK_ESDB_START_ATTEMPTS: '3' });
    expect(run.code).toBe(1);
    const retries = run.stdout
      .split('\n')
      .filter((line) => line.includes('"attempt"'))
      .map((line) => JSON.parse(line) as { address: string; attempt: number; msg: string });
    expect(retries.map(({ address: logged, attempt }) => [logged, attempt])).toEqual([
      [address, 1],
      [address, 2],
    ]);
    expect(retries[0]!.msg).toBe(`EventStoreDB at ${address} is unreachable (attempt 1 of 3): retrying`);
    const lines = operatorLines(run);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^trailmark: EventStoreDB at ${address.replace(/[?.]/g, '\\$&')} is unreachable after 3 attempts \\(.*ECONNREFUSED.*\\): start it or correct ESDB_CONNECTION_STRING`));
  });

  test('a bad signing key: exits 2 naming TRAILMARK_SIGNING_KEY, without repeating the key', async () => {
    const run = await serve({ TRAILMARK_SIGNING_KEY: 'PRIVATE+KEY+audit.example.com/log+0123abcd+not-base64' });
    expect(run.code).toBe(2);
    expect(operatorLines(run)).toEqual([
      "trailmark: TRAILMARK_SIGNING_KEY is not a signer key in Go's note format (PRIVATE+KEY+<name>+<8 hex>+<base64>); `trailmark keygen` makes one",
    ]);
    expect(run.stdout + run.stderr).not.toContain('not-base64');
  });

  test('a bad log level: exits 2 naming the setting and the levels', async () => {
    const run = await serve({ TRAILMARK_LOG_LEVEL: 'loud' });
    expect(run.code).toBe(2);
    expect(operatorLines(run)).toEqual(['trailmark: TRAILMARK_LOG_LEVEL=loud is not a log level: one of fatal, error, warn, info, debug, trace, silent']);
  });

  test.each([
    ['not JSON', '{', /^trailmark: TRAILMARK_TOKENS_FILE .*tokens\.json: .*JSON/],
    ['not an array', '{}', /^trailmark: TRAILMARK_TOKENS_FILE .*tokens\.json: expected a JSON array of tokens$/],
    ['an entry without a digest', '[{"name":"ci","roles":["admin"],"tenants":["*"]}]', /^trailmark: TRAILMARK_TOKENS_FILE .*: entry 0 \(ci\): "sha256" must be/],
  ])('a bad tokens file (%s): exits 2 naming the file and what is wrong', async (_, content, line) => {
    writeFileSync(join(dir, 'tokens.json'), content);
    const run = await serve({ TRAILMARK_TOKENS_FILE: join(dir, 'tokens.json'), TRAILMARK_DEV_TOKEN: '' });
    expect(run.code).toBe(2);
    const lines = operatorLines(run);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
  });

  test('a missing tokens file: exits 2 naming it', async () => {
    const run = await serve({ TRAILMARK_TOKENS_FILE: join(dir, 'absent.json'), TRAILMARK_DEV_TOKEN: '' });
    expect(run.code).toBe(2);
    expect(operatorLines(run)).toEqual([expect.stringMatching(/^trailmark: TRAILMARK_TOKENS_FILE .*absent\.json: ENOENT/)]);
  });

  test('an unknown TRAILMARK_* variable is reported with the closest known name, before the configuration is read', async () => {
    // A bad PORT ends this start early, once the warnings are out: a typo may be why a setting is refused.
    const run = await serve({ TRAILMARK_DEVTOKEN: 'x', TRAILMARK_CHECKPOINT_INTERVAL: '100', TRAILMARK_LOG_LEVEL: 'warn', PORT: 'none' });
    expect(run.stderr).toContain('trailmark: warning: TRAILMARK_CHECKPOINT_INTERVAL is not a setting; did you mean TRAILMARK_CHECKPOINT_INTERVAL_MS?\n');
    expect(run.stderr).toContain('trailmark: warning: TRAILMARK_DEVTOKEN is not a setting; did you mean TRAILMARK_DEV_TOKEN?\n');
  });
});
