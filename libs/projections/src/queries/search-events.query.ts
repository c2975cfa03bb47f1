import { Query } from '@nestjs/cqrs';
import type { SearchPage, SearchPageQuery } from '../search-page.js';
import type { Reader } from './reader.js';

/** A search page over the leaves already in the tree (search-page.ts); recorded as `audit_log.read`. */
export class SearchEvents extends Query<SearchPage> {
  constructor(
    readonly page: Omit<SearchPageQuery, 'upTo'>,
    readonly reader: Reader,
  ) {
    super();
  }
}
