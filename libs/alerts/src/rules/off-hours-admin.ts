import { actionDefinition } from '@trailmark/domain';
import { z } from 'zod';
import { markOf, partyName, type Rule } from '../rule.js';

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const Settings = z.strictObject({
  enabled: z.boolean().default(true),
  timeZone: z.string().refine(isTimeZone, { error: 'must be an IANA time zone, e.g. "Europe/Paris"' }).default('UTC'),
  /** ISO weekdays: 1 Monday .. 7 Sunday. */
  days: z.array(z.int().min(1).max(7)).max(7).default([1, 2, 3, 4, 5]),
  /** Business hours from `startHour` (inclusive) to `endHour` (exclusive), local time. */
  startHour: z.int().min(0).max(24).default(8),
  endHour: z.int().min(0).max(24).default(18),
});

const CATEGORIES = new Set(['administration', 'authorization']);
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const formats = new Map<string, Intl.DateTimeFormat>();

/** The ISO weekday and hour of `at` in `timeZone`. */
export function localDayAndHour(at: number, timeZone: string): { day: number; hour: number } {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: 'numeric', hourCycle: 'h23' });
    formats.set(timeZone, format);
  }
  const parts = format.formatToParts(at);
  const weekday = parts.find((part) => part.type === 'weekday')!.value;
  const hour = Number(parts.find((part) => part.type === 'hour')!.value);
  return { day: WEEKDAYS[weekday]!, hour };
}

/** Administration and authorization work outside the tenant's business hours; one alert per actor while it goes on. */
export const offHoursAdmin: Rule<z.output<typeof Settings>> = {
  name: 'off-hours-admin',
  description: 'an administration or authorization action outside the business `days` and `startHour`..`endHour` in `timeZone`',
  settings: Settings,
  evaluate(event, settings, state) {
    void state;
    if (event.outcome !== 'success' || !CATEGORIES.has(actionDefinition(event.action)?.category ?? '')) return undefined;
    const { day, hour } = localDayAndHour(event.at, settings.timeZone);
    if (settings.days.includes(day) && hour >= settings.startHour && hour < settings.endHour) return undefined;
    const actor = partyName(event.actor);
    return {
      key: actor,
      severity: 'medium',
      summary: `${actor} did ${event.action} outside business hours (${settings.timeZone})`,
      evidence: [markOf(event)],
    };
  },
};
