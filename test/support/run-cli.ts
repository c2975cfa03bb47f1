import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TRAILMARK_BIN } from './ledger-process.js';

/** The built bin, as a user runs it (`npm test` builds it first with tsc -b). */
export const CLI_BIN = fileURLToPath(new URL('../../proofs/cli/bin/trailmark-verify.js', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  stdin?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs a built bin in a child process. Asynchronous on purpose: tests that serve a log over HTTP
 * from this process must keep answering while the CLI runs.
 */
function runBin(bin: string, args: readonly string[], inherited: NodeJS.ProcessEnv, options: RunOptions): Promise<CliRun> {
  const child = spawn(process.execPath, [bin, ...args], {
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

/** The environment of the tests, less what only Jest needs (NODE_OPTIONS=--experimental-vm-modules) and, optionally, more. */
function testEnvironment(drop: (name: string) => boolean = () => false): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'NODE_OPTIONS' && !drop(name)));
}

/** `trailmark-verify ...args`. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliRun> {
  return runBin(CLI_BIN, args, testEnvironment(), options);
}

/** `trailmark ...args`, without any TRAILMARK_* setting of the environment the tests run in. */
export function runTrailmark(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return runBin(TRAILMARK_BIN, args, testEnvironment((name) => name.startsWith('TRAILMARK_')), { env });
}
