import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built bin, as a user runs it (`npm test` builds it first with tsc -b). */
export const CLI_BIN = fileURLToPath(new URL('../../proofs/bin/trailmark-verify.js', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `trailmark-verify ...args` in a child process. Asynchronous on purpose:
 * tests that serve a log over HTTP from this process must keep answering while
 * the CLI runs.
 */
export function runCli(args: readonly string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  // Jest runs under NODE_OPTIONS=--experimental-vm-modules; the CLI does not need it.
  const { NODE_OPTIONS: _jestOnly, ...inherited } = process.env;
  const child = spawn(process.execPath, [CLI_BIN, ...args], {
    env: { ...inherited, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(options.stdin ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
