import type { SearchPage } from '@trailmark/projections';
import { jsonNumber } from './json.js';

/** A search page as `GET /v1/events` answers it. */
export function eventPageBody(page: SearchPage): object {
  return {
    events: page.events.map(({ leafIndex, envelope }) => ({ leafIndex: jsonNumber(leafIndex), event: envelope })),
    next: page.next === null ? null : jsonNumber(page.next),
  };
}
