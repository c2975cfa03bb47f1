// Starts `trailmark witness serve` (the built bin) as a child process on a free loopback port.
import { spawn, type ChildProcess } from 'node:child_process';
import { TRAILMARK_BIN } from './ledger-process.js';

export interface WitnessProcess {
  readonly url: string;
  /** its cosignature/v1 vkey, as it printed it */
  readonly vkey: string;
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<number | null>;
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>;
}

/** Witnesses the logs of `logsFile` (tlog-policy `log` lines), keeping its state and key in `dataDir`. */
export async function startWitness(dataDir: string, logsFile: string, env: Record<string, string> = {}): Promise<WitnessProcess> {
  const child = spawn(process.execPath, [TRAILMARK_BIN, 'witness', 'serve', '--logs', logsFile, '--data-dir', dataDir], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', TRAILMARK_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started = await new Promise<{ url: string; vkey: string }>((resolve, reject) => {
    const onData = (): void => {
      const match = output.match(/witness listening on (http:\/\/[\d.]+:\d+)[\s\S]*?\n\s+witness \S+ (\S+) /);
      if (match) resolve({ url: match[1]!, vkey: match[2]! });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`trailmark witness serve exited with ${code} before listening:\n${output}`)));
  });
  return {
    ...started,
    child,
    output: () => output,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
