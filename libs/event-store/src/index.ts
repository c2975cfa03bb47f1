export { comparePositions, type Position } from './position.js';
export type {
  AppendRequest,
  AppendResult,
  EventData,
  EventStore,
  ExpectedRevision,
  ReadAllOptions,
  RecordedEvent,
  StoreGuarantees,
  SubscribeOptions,
  Subscription,
  SubscriptionHandler,
} from './event-store.js';
export { DuplicateEventError, StoreUnavailableError, StreamNotFoundError, WrongExpectedVersionError } from './errors.js';
export { SqliteEventStore, SUBSCRIPTION_PAGE_BYTES } from './sqlite-event-store.js';
export { EsdbEventStore } from './esdb/esdb-event-store.js';
