// Prints the run's totals as one plain line ("tests: N passed, N failed, N skipped") after Jest's own summary,
// so that CI logs end with a line any reader can count.
export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = results;
    process.stdout.write(`tests: ${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests + numTodoTests} skipped\n`);
  }
}
