export { type AccessHolding, type RoleChange, roleChangesOf } from './access.js';
export {
  type ActionTerm,
  type EventFilter,
  type FilterTerms,
  type ScanOptions,
  type SearchOptions,
  SCAN_PAGE_SIZE,
  filterTerms,
  foldText,
  matchKeys,
} from './event-filter.js';
export { type ProjectedEvent, UnreadableEventError, projectEvent } from './projected-event.js';
export { type ProjectionState, type ReadModelStore, ProjectionConflictError } from './read-model-store.js';
export { type SearchPage, type SearchPageQuery, searchPage } from './search-page.js';
export { SEARCH_INDEXES } from './search-indexes.js';
export { SqliteReadModel } from './sqlite/sqlite-read-model.js';
export { PostgresReadModel, type PostgresReadModelOptions } from './postgres/postgres-read-model.js';
export { SQLITE_READ_MODEL_FILE, openReadModel } from './open-read-model.js';
export {
  Projector,
  ProjectorStoppedError,
  rebuild,
  type ProjectorHandle,
  type ProjectorOptions,
  type ProjectorStatus,
} from './projector.js';
export { ProjectorThread, type ProjectorThreadOptions } from './projector-thread.js';
