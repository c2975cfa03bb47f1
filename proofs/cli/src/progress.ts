// Progress bars on a terminal, plain lines now and then without one.
import cliProgress from 'cli-progress';
import { PROGRAM } from './names.js';

/** Without a terminal, `bundle` prints a plain progress line this often (and nothing for shorter runs). */
export const PLAIN_PROGRESS_MS = 5_000;

/**
 * Progress of `bundle` on stderr: a bar over the file's bytes on a terminal (a count of
 * events when reading a pipe); otherwise a plain line every PLAIN_PROGRESS_MS.
 */
export function bundleProgress(totalBytes: number | undefined): { update(events: number, bytes: number): void; stop(): void } {
  const stream = process.stderr;
  const sized = totalBytes !== undefined && totalBytes > 0;
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: sized
          ? 'verifying {bar} {percentage}% | {events} events | {eta_formatted} left'
          : 'verifying | {events} events | {duration_formatted}',
        hideCursor: true,
        etaBuffer: 50,
        fps: 10,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(sized ? totalBytes : 0, 0, { events: 0 });
    // Fed every ~100 ms, not every event: the ETA is computed over the last updates.
    let lastUpdate = 0;
    const latest = { events: 0, bytes: 0 };
    return {
      update: (events, bytes) => {
        latest.events = events;
        latest.bytes = bytes;
        const now = Date.now();
        if (now - lastUpdate < 100) return;
        lastUpdate = now;
        bar.update(bytes, { events });
      },
      stop: () => {
        bar.update(latest.bytes, { events: latest.events });
        bar.stop();
      },
    };
  }
  let last = Date.now();
  return {
    update: (events, bytes) => {
      const now = Date.now();
      if (now - last < PLAIN_PROGRESS_MS) return;
      last = now;
      const share = sized ? ` (${Math.floor((100 * bytes) / totalBytes)}% of the file)` : '';
      stream.write(`${PROGRAM}: bundle: ${events} events verified so far${share}\n`);
    },
    stop: () => {},
  };
}

/** Progress of a monitor run on stderr: a bar over the new entries on a terminal, else a plain line every PLAIN_PROGRESS_MS. */
export function monitorProgress(total: bigint): { update(entries: bigint): void; stop(): void } {
  const stream = process.stderr;
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream, format: 'verifying {bar} {percentage}% | {value}/{total} entries | {eta_formatted} left', hideCursor: true, etaBuffer: 50, fps: 10 },
      cliProgress.Presets.shades_classic,
    );
    bar.start(Number(total), 0);
    return { update: (entries) => bar.update(Number(entries)), stop: () => bar.stop() };
  }
  let last = Date.now();
  return {
    update: (entries) => {
      const now = Date.now();
      if (now - last < PLAIN_PROGRESS_MS) return;
      last = now;
      stream.write(`${PROGRAM}: monitor: ${entries} of ${total} new entries verified\n`);
    },
    stop: () => {},
  };
}
