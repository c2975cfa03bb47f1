import cliProgress from 'cli-progress';

/** Progress of the walk over the events, on stderr: a live bar on a terminal, one plain line at the end otherwise. */
export interface WalkProgress {
  update(done: bigint): void;
  finish(done: bigint): void;
}

export function walkProgress(
  total: bigint,
  stream: NodeJS.WriteStream = process.stderr,
  words: { doing: string; done: string } = { doing: 'verifying', done: 'checked' },
): WalkProgress {
  const started = Date.now();
  const seconds = (): string => ((Date.now() - started) / 1000).toFixed(1);
  if (!stream.isTTY) {
    return {
      update: () => {},
      finish: (done) => stream.write(`trailmark: ${words.done} ${done} events in ${seconds()} s\n`),
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${words.doing} {bar} {value}/{total} events | {percentage}% | {eta_formatted} left`,
      hideCursor: true,
      etaBuffer: 50,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Number(total), 0);
  return {
    update: (done) => bar.update(Number(done)),
    finish: (done) => {
      bar.setTotal(Number(done));
      bar.update(Number(done));
      bar.stop();
      stream.write(`trailmark: ${words.done} ${done} events in ${seconds()} s\n`);
    },
  };
}
