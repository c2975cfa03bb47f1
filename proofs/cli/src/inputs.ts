// Inputs: files, stdin, option values.
import { closeSync, createReadStream, fstatSync, openSync, readFileSync, statSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { FormatError } from '@trailmark/proofs';
import { InputError } from './cli-errors.js';

export function parseIndex(value: string): bigint {
  if (!/^[0-9]+$/.test(value)) throw new InvalidArgumentError('the index must be a non-negative decimal integer.');
  return BigInt(value);
}

/** Reads a command input: a file, or stdin for "-". */
export async function readInput(path: string, what: string): Promise<Uint8Array> {
  if (path !== '-') return readFileOrThrow(path, what);
  const chunks: Uint8Array[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array);
  return new Uint8Array(Buffer.concat(chunks));
}

export async function readInputText(path: string, what: string): Promise<string> {
  return decodeUtf8(await readInput(path, what), `${what} ${path === '-' ? 'from stdin' : path}`);
}

/** Checked before reading anything: stdin can feed one input only. */
export function assertOneStdin(inputs: Record<string, string>): void {
  const fromStdin = Object.keys(inputs).filter((name) => inputs[name] === '-');
  if (fromStdin.length > 1) {
    throw new InputError(`${fromStdin.join(' and ')} both read stdin ("-"): only one input can come from stdin`);
  }
}

/**
 * A file (or stdin for "-") as a stream of chunks, for inputs too large to hold. Opening
 * errors are thrown here, read errors while streaming as InputError too.
 */
export function openStream(path: string, what: string): { chunks: AsyncIterable<Uint8Array>; size: number | undefined; bytesRead(): number } {
  let bytes = 0;
  let size: number | undefined;
  let stream: AsyncIterable<unknown>;
  if (path === '-') {
    stream = process.stdin;
  } else {
    let fd: number;
    try {
      fd = openSync(path, 'r');
      const stats = fstatSync(fd);
      if (stats.isDirectory()) {
        closeSync(fd);
        throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      }
      // A pipe (e.g. <(curl ...)) has no size: progress then counts events only.
      if (stats.isFile()) size = stats.size;
    } catch (error) {
      throw new InputError(`cannot read ${what} file ${path}: ${systemReason(error)}`);
    }
    stream = createReadStream(path, { fd, highWaterMark: 1024 * 1024 });
  }
  const source = path === '-' ? `${what} from stdin` : `${what} file ${path}`;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    const iterator = stream[Symbol.asyncIterator]();
    try {
      for (;;) {
        let next: IteratorResult<unknown>;
        try {
          next = await iterator.next();
        } catch (error) {
          throw new InputError(`cannot read ${source}: ${systemReason(error)}`);
        }
        if (next.done === true) return;
        const chunk = next.value as Uint8Array;
        bytes += chunk.length;
        yield chunk;
      }
    } finally {
      // Stops reading (and closes the file) when verification stops early.
      await iterator.return?.();
    }
  }
  return { chunks: chunks(), size, bytesRead: () => bytes };
}

export function readFileOrThrow(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    throw new InputError(`cannot read ${what} file ${path}: ${systemReason(error)}`);
  }
}

export function systemReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

export function decodeUtf8(bytes: Uint8Array, source: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new FormatError(`${source} is not UTF-8 text`);
  }
}

export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(value) || seconds <= 0) throw new InvalidArgumentError('give a positive number of seconds.');
  return seconds;
}
