import { sha256 } from '@noble/hashes/sha2.js';
import { v7 } from 'uuid';
import { randomBytes } from './random-pool.js';

/**
 * A new event id: UUIDv7 (RFC 9562), whose leading 48 bits are the Unix time in
 * milliseconds, so ids minted by the server sort roughly by creation time.
 * Clients may send their own id (any RFC 9562 UUID) as an idempotency key instead.
 */
export function newEventId(): string {
  return v7({ random: randomBytes(16) });
}

/** RFC 9562's Nil and Max UUIDs: placeholders, never the id of an event. */
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';
export const MAX_UUID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

const STORE_ID_DOMAIN = new TextEncoder().encode('trailmark/store-event-id/v1\n');
const utf8 = new TextEncoder();

/**
 * The id an event is filed under in the event store: a UUIDv8 (RFC 9562 §5.8) made of
 * SHA-256(domain || tenant || "\n" || event id). Event ids are idempotency keys of one tenant:
 * tenant B sending the id tenant A used, or will use, gets another store id, so the store's
 * id check (global in SQLite, per stream in EventStoreDB) never sees the two meet and never
 * answers B with A's event. Tenants cannot contain "\n", so (tenant, id) has one encoding.
 * Events stored before this rule are filed under their event id itself; both are read.
 */
export function storeEventId(tenant: string, eventId: string): string {
  const digest = sha256.create().update(STORE_ID_DOMAIN).update(utf8.encode(`${tenant}\n${eventId}`)).digest();
  const bytes = digest.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80; // version 8
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // variant 10
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
