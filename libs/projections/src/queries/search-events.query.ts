import { Query } from '@nestjs/cqrs';
import type { EventFilter } from '../event-filter.js';
import type { ProjectedEvent } from '../projected-event.js';
import type { Reader } from './reader.js';

/** A page of the search: `next` is the leaf index to continue after, absent on the last page. */
export interface EventPage {
  readonly events: readonly ProjectedEvent[];
  readonly next: bigint | undefined;
}

/** Oldest first, leaves already in the tree only, after leaf `after`; recorded as `audit_log.read`. */
export class SearchEvents extends Query<EventPage> {
  constructor(
    readonly filter: EventFilter,
    readonly page: { readonly limit: number; readonly after?: bigint },
    readonly reader: Reader,
  ) {
    super();
  }
}
