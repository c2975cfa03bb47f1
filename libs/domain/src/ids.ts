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
