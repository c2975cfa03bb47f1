export { comparePositions, type Position } from './position.js';
export {
  eventBytes,
  type AppendRequest,
  type AppendResult,
  type EventData,
  type EventStore,
  type ExpectedRevision,
  type ReadAllOptions,
  type RecordedEvent,
  type StoreGuarantees,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionHandler,
} from './event-store.js';
export { DuplicateEventError, StoreUnavailableError, StreamNotFoundError, WrongExpectedVersionError } from './errors.js';
export { SqliteEventStore, SUBSCRIPTION_PAGE_BYTES } from './sqlite-event-store.js';
export { EsdbEventStore } from './esdb/esdb-event-store.js';
