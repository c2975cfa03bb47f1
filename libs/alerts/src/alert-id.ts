import { createHash } from 'node:crypto';

/**
 * The id of the alert a rule raises for `key` on the event `eventId`: a UUID (version 8, RFC 9562) from a
 * SHA-256 of those, so judging the same log again raises the same alerts under the same ids, and recording one
 * again is a retry the ledger answers with the first receipt. It is also the id of the alert.raised event.
 */
export function alertId(tenant: string, rule: string, key: string, eventId: string): string {
  const hex = createHash('sha256').update(JSON.stringify(['trailmark-alert', tenant, rule, key, eventId])).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
