// Time budgets of tests. A test is sized by counts (events, requests, crashes), never by how fast the machine
// is; its Jest timeout only catches a hang. These budgets are far beyond what a slow, shared machine needs, so
// that one busy core never fails a test that would pass.

/** For tests that run load or crash rounds: half an hour. */
export const LONG_TEST_BUDGET_MS = 30 * 60_000;

/** How often a wait that goes on says what it waits for (a hint for a hang, not a failure). */
const STILL_WAITING_EVERY_MS = 10_000;

/**
 * Polls `condition` every `everyMs` until it holds. No deadline of its own: how long that may take is the test's
 * budget. Every ten seconds it logs that it is still waiting for `what`, so a hang says where it hangs.
 */
export async function until(condition: () => boolean | Promise<boolean>, what: string, everyMs = 10): Promise<void> {
  let nextHint = Date.now() + STILL_WAITING_EVERY_MS;
  while (!(await condition())) {
    if (Date.now() >= nextHint) {
      console.warn(`still waiting for ${what}`);
      nextHint += STILL_WAITING_EVERY_MS;
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
