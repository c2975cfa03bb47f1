// Time budgets of tests. A test is sized by counts (events, requests, crashes), never by how fast the machine
// is; its Jest timeout only catches a hang. These budgets are far beyond what a slow, shared machine needs, so
// that one busy core never fails a test that would pass.

/** For tests that run load or crash rounds: half an hour. */
export const LONG_TEST_BUDGET_MS = 30 * 60_000;

/** Polls `condition` every `everyMs` until it holds; how long that may take is the test's budget, not a deadline here. */
export async function until(condition: () => boolean | Promise<boolean>, everyMs = 10): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, everyMs));
}
