/** Bin widths a histogram picks from, smallest first: the first that fits the span in MAX_BINS bars. */
const WIDTHS_MS = [1, 10, 60, 600, 3600, 6 * 3600, 86_400, 7 * 86_400, 30 * 86_400, 365 * 86_400].map((seconds) => seconds * 1000);
export const MAX_BINS = 30;

export interface Bin {
  readonly start: number;
  readonly count: number;
}

export interface Bins {
  readonly widthMs: number;
  readonly bins: readonly Bin[];
}

/** Events per bin of time, bins aligned on multiples of their width (UTC), empty bins kept so gaps show. */
export function binTimes(times: readonly number[]): Bins {
  if (times.length === 0) return { widthMs: WIDTHS_MS[0]!, bins: [] };
  let min = Infinity;
  let max = -Infinity;
  for (const time of times) {
    if (time < min) min = time;
    if (time > max) max = time;
  }
  const widthMs = WIDTHS_MS.find((width) => Math.floor(max / width) - Math.floor(min / width) < MAX_BINS) ?? WIDTHS_MS.at(-1)!;
  const first = Math.floor(min / widthMs);
  const counts = new Array<number>(Math.floor(max / widthMs) - first + 1).fill(0);
  for (const time of times) counts[Math.floor(time / widthMs) - first]! += 1;
  return { widthMs, bins: counts.map((count, i) => ({ start: (first + i) * widthMs, count })) };
}
