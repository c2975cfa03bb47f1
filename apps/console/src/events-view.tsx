import { useEffect, useState } from 'preact/hooks';
import type { Api } from './api.js';
import { EventDetail } from './event-detail.js';
import { FilterForm } from './filter-form.js';
import { Histogram } from './histogram.js';
import { searchParams, type Filters, type SearchEvent, type SearchPage } from './search.js';
import { VirtualList } from './virtual-list.js';

const PAGE = 100;
const ROW_HEIGHT = 36;

/**
 * The events of the tenant, oldest first by leaf index: "Load more" continues after the last leaf shown, so events
 * arriving meanwhile extend the list at its end and never shift or repeat a row.
 */
export function EventsView({ api, filters, onFilters }: { api: Api; filters: Filters; onFilters: (filters: Filters) => void }) {
  const [events, setEvents] = useState<readonly SearchEvent[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<string>();
  const [open, setOpen] = useState<string>();

  const load = async (cursor: number | null, previous: readonly SearchEvent[]) => {
    setError(undefined);
    try {
      const params = { ...searchParams(api.session.tenant, filters), limit: String(PAGE), ...(cursor !== null && { cursor: String(cursor) }) };
      const page = await api.json<SearchPage>('/v1/events', params);
      setEvents([...previous, ...page.events]);
      setNext(page.next);
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  useEffect(() => void load(null, []), [api, filters]);

  return (
    <div class="events">
      <FilterForm filters={filters} onApply={onFilters} />
      {error && <p role="alert">{error}</p>}
      <p role="status">
        {events.length} events shown{next !== null ? ', more to load' : ''}
      </p>
      <Histogram events={events} complete={next === null} />
      <div class="row head" aria-hidden="true">
        <span>Leaf</span>
        <span>Time (UTC)</span>
        <span>Action</span>
        <span>Outcome</span>
        <span>Actor</span>
        <span>Targets</span>
      </div>
      <VirtualList
        items={events}
        rowHeight={ROW_HEIGHT}
        height={Math.min(events.length, 12) * ROW_HEIGHT + 2}
        label="Events"
        row={({ leafIndex, event }) => (
          <button type="button" class="row" onClick={() => setOpen(event.id)}>
            <span>
              <span class="visually-hidden">Open event </span>
              {leafIndex}
            </span>
            <span>{event.time.slice(0, 19).replace('T', ' ')}</span>
            <span>{event.action}</span>
            <span class={`outcome ${event.outcome}`}>{event.outcome}</span>
            <span>{event.actor.id}</span>
            <span>{(event.targets ?? []).map((target) => `${target.type}:${target.id}`).join(', ')}</span>
          </button>
        )}
      />
      {next !== null && (
        <button type="button" onClick={() => void load(next, events)}>
          Load more
        </button>
      )}
      {open && <EventDetail api={api} eventId={open} onClose={() => setOpen(undefined)} />}
    </div>
  );
}
