import { useMemo } from 'preact/hooks';
import { binTimes } from './histogram-bins.js';
import type { SearchEvent } from './search.js';

const WIDTH = 600;
const HEIGHT = 80;
/** A bar no wider than this, so one busy second reads as a bar, not a filled box. */
const MAX_BAR = 24;

const label = (start: number, widthMs: number) => {
  const iso = new Date(start).toISOString().replace('T', ' ');
  return widthMs >= 86_400_000 ? iso.slice(0, 10) : widthMs >= 60_000 ? iso.slice(0, 16) : iso.slice(0, 19);
};

/**
 * Events over time for the current filter, drawn from the pages loaded so far: the search API answers pages, not
 * counts, so the caption says how much of the result the bars cover. The SVG is decoration; the table under it
 * carries the same numbers for screen readers.
 */
export function Histogram({ events, complete }: { events: readonly SearchEvent[]; complete: boolean }) {
  const { widthMs, bins } = useMemo(() => binTimes(events.map(({ event }) => Date.parse(event.time))), [events]);
  if (bins.length === 0) return null;
  const peak = Math.max(...bins.map((bin) => bin.count));
  const barWidth = Math.min(WIDTH / bins.length, MAX_BAR);
  return (
    <figure class="histogram">
      <figcaption>
        Events over time: the {events.length} events loaded{complete ? ' (the whole result)' : ' so far (load more to widen it)'}, per{' '}
        {widthMs >= 1000 ? `${widthMs / 1000} s` : `${widthMs} ms`}
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width="100%" height={HEIGHT} preserveAspectRatio="none" aria-hidden="true">
        {bins.map((bin, i) => {
          const height = (bin.count / peak) * (HEIGHT - 2);
          return (
            <rect key={bin.start} x={i * barWidth + 1} y={HEIGHT - height} width={Math.max(barWidth - 2, 1)} height={height} fill="#0b4f9c">
              <title>{`${label(bin.start, widthMs)}: ${bin.count}`}</title>
            </rect>
          );
        })}
        <line x1="0" y1={HEIGHT - 0.5} x2={WIDTH} y2={HEIGHT - 0.5} stroke="#555" />
      </svg>
      <p class="histogram-range">
        {label(bins[0]!.start, widthMs)} to {label(bins.at(-1)!.start + widthMs, widthMs)} UTC, tallest bar {peak}
      </p>
      <table class="visually-hidden">
        <caption>Events per interval</caption>
        <thead>
          <tr>
            <th scope="col">From (UTC)</th>
            <th scope="col">Events</th>
          </tr>
        </thead>
        <tbody>
          {bins.map((bin) => (
            <tr key={bin.start} class="bin">
              <td>{label(bin.start, widthMs)}</td>
              <td>{bin.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
