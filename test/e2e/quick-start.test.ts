import { chmodSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { makeDataDir, startLedger } from '../support/ledger-process.js';

// The quick start is safe as written: it listens on loopback unless told otherwise, a placeholder dev token
// cannot be exposed to other machines, and what it writes to the data dir is readable by its user alone.
describe('a safe quick start', () => {
  test('listens on loopback by default, says what the dev token is, and keeps the data dir private', async () => {
    const { dataDir, cleanup } = makeDataDir();
    rmSync(dataDir, { recursive: true }); // the service makes it
    const ledger = await startLedger(dataDir, { HOST: '', TRAILMARK_DEV_TOKEN: 'change-me' });
    try {
      expect(ledger.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      // 127.0.0.2 is this machine too, but not the address it listens on: all interfaces would answer there.
      await expect(fetch(ledger.url.replace('127.0.0.1', '127.0.0.2'))).rejects.toThrow();
      expect(ledger.output()).toContain('an admin of every tenant, for local use only');
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      const files = readdirSync(dataDir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        expect([join(file.parentPath, file.name), statSync(join(file.parentPath, file.name)).mode & 0o077]).toEqual([join(file.parentPath, file.name), 0]);
      }
    } finally {
      await ledger.stop();
      await cleanup();
    }
  });

  test('makes a data dir made before, wider open, private to its user', async () => {
    const { dataDir, cleanup } = makeDataDir();
    chmodSync(dataDir, 0o755);
    const ledger = await startLedger(dataDir);
    try {
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    } finally {
      await ledger.stop();
      await cleanup();
    }
  });

  test.each(['change-me', 'short-secret'])('refuses the dev token %s on all interfaces, naming the setting', async (token) => {
    const { dataDir, cleanup } = makeDataDir();
    try {
      await expect(startLedger(dataDir, { HOST: '0.0.0.0', TRAILMARK_DEV_TOKEN: token })).rejects.toThrow(/TRAILMARK_DEV_TOKEN is a placeholder or shorter than 16 characters, and HOST=0\.0\.0\.0/);
    } finally {
      await cleanup();
    }
  });

  test('serves all interfaces with a long dev token when asked to', async () => {
    const { dataDir, cleanup } = makeDataDir();
    const ledger = await startLedger(dataDir, { HOST: '0.0.0.0', TRAILMARK_DEV_TOKEN: 'a-long-random-dev-token-0123456789' });
    try {
      expect((await fetch(`${ledger.url.replace('127.0.0.1', '127.0.0.2')}/health/ready`)).status).toBe(200);
    } finally {
      await ledger.stop();
      await cleanup();
    }
  });
});
