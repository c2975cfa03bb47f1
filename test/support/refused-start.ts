import { startLedger, type LedgerProcess } from './ledger-process.js';

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

/**
 * startLedger, remembering each ledger it started so that `afterEach(killLeftovers)` kills those a failed test
 * left running (a test that passes stops its own).
 */
export function leftoverKiller(): { start: typeof startLedger; killLeftovers(): Promise<void> } {
  const started: LedgerProcess[] = [];
  return {
    start: async (dataDir, env) => {
      const ledger = await startLedger(dataDir, env);
      started.push(ledger);
      return ledger;
    },
    killLeftovers: async () => {
      for (const ledger of started.splice(0)) if (ledger.child.exitCode === null && ledger.child.signalCode === null) await ledger.kill();
    },
  };
}
