import { startLedger } from './ledger-process.js';

/**
 * Starts `trailmark serve` on `dataDir`, which must refuse to start: resolves with everything it wrote before it
 * exited non-zero. A ledger that starts instead is stopped, and the test fails.
 */
export async function refusedStart(dataDir: string, env: Record<string, string> = {}): Promise<string> {
  const outcome = await startLedger(dataDir, env).then(
    (ledger) => ledger,
    (error: unknown) => error as Error,
  );
  if (!(outcome instanceof Error)) {
    await outcome.stop();
    throw new Error(`the ledger started on ${dataDir}, but it should have refused:\n${outcome.output()}`);
  }
  const exited = /^trailmark serve exited with (\d+) before listening:\n([\s\S]*)$/.exec(outcome.message);
  if (!exited) throw outcome;
  expect(Number(exited[1])).not.toBe(0);
  return exited[2]!;
}
