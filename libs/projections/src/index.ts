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
export {
  EXPORT_CONTENT_TYPES,
  EXPORT_FORMATS,
  type ExportCheckpoint,
  type ExportFormat,
  type ExportProduct,
  exportChunks,
} from './export-formats.js';
export { tenantHasEvents } from './tenant-has-events.js';
export { ProjectedLog } from './queries/projected-log.js';
export { type Reader } from './queries/reader.js';
export { SearchEvents } from './queries/search-events.query.js';
export { ReviewAccess } from './queries/review-access.query.js';
export { ExportableLog } from './queries/exportable-log.js';
export { ExportEvents, type EventExport } from './queries/export-events.query.js';
export { ProjectionQueriesModule } from './queries/projection-queries.module.js';
