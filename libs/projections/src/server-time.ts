/** Server time as envelopes carry it: fixed width, so comparing the text compares the instants. */
export const SERVER_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Refuses an instant spelled otherwise: compared as text, "2026-01-01T00:00:00Z" would sort after every event of that second. */
export function checkServerTime(time: string, name: string): void {
  if (!SERVER_TIME.test(time)) throw new RangeError(`${name} must be a server time like 2026-11-22T09:30:00.123456Z, not ${JSON.stringify(time)}`);
}
