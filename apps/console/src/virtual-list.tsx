import { useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';

/**
 * Renders only the rows in view (plus a few either side) of a list of equal-height rows: 1,000 or 100,000 events
 * cost the same DOM. Rows of one height keep the window a division, no measuring; a library for variable heights
 * would earn its weight only if rows grew.
 */
export function VirtualList<T>(props: {
  items: readonly T[];
  rowHeight: number;
  height: number;
  label: string;
  row: (item: T, index: number) => ComponentChildren;
}) {
  const [scrollTop, setScrollTop] = useState(0);
  const overscan = 5;
  const first = Math.max(0, Math.floor(scrollTop / props.rowHeight) - overscan);
  const last = Math.min(props.items.length, Math.ceil((scrollTop + props.height) / props.rowHeight) + overscan);
  return (
    <div
      class="virtual-list"
      style={{ height: `${props.height}px` }}
      onScroll={(event) => setScrollTop((event.currentTarget as HTMLElement).scrollTop)}
      tabIndex={0}
      aria-label={props.label}
      role="region"
    >
      <ul style={{ height: `${props.items.length * props.rowHeight}px` }}>
        {props.items.slice(first, last).map((item, i) => (
          <li key={first + i} style={{ top: `${(first + i) * props.rowHeight}px`, height: `${props.rowHeight}px` }} aria-setsize={props.items.length} aria-posinset={first + i + 1}>
            {props.row(item, first + i)}
          </li>
        ))}
      </ul>
    </div>
  );
}
