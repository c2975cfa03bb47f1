import { DEV_TOKEN, makeDataDir, startLedger } from '../support/ledger-process.js';

test('the service starts, records an event and serves a checkpoint', async () => {
  const { dataDir, cleanup } = makeDataDir();
  const ledger = await startLedger(dataDir);
  try {
    const response = await fetch(`${ledger.url}/v1/events?wait=checkpoint`, {
      method: 'POST',
      headers: { authorization: `Bearer ${DEV_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: 'acme', action: 'user.login', outcome: 'success', actor: { type: 'user', id: 'u_1' }, targets: [{ type: 'user', id: 'u_1' }] }),
    });
    expect(response.status).toBe(201);
    const receipt = (await response.json()) as { leafIndex: number; treeSize: number };
    expect(receipt.leafIndex).toBe(0);
    expect(receipt.treeSize).toBeGreaterThanOrEqual(1);
  } finally {
    expect(await ledger.stop()).toBe(0);
    await cleanup();
  }
});
