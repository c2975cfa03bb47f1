import { z } from 'zod';
import { HOUR, markOf, userOf, type Rule } from '../rule.js';
import type { Mark } from '../rule-state.js';

const Settings = z.strictObject({
  enabled: z.boolean().default(true),
  maxKmPerHour: z.number().positive().max(100_000).default(900),
  /** Geolocation of an IP is approximate: closer than this is never travel. */
  minDistanceKm: z.number().min(0).max(20_000).default(100),
  /** How long a login's place is remembered. */
  memoryHours: z.int().min(1).max(720).default(24),
});

interface Place {
  readonly mark: Mark;
  readonly latitude: number;
  readonly longitude: number;
}

const EARTH_RADIUS_KM = 6371;

/** Great-circle distance (haversine). */
export function distanceKm(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Two successful logins of one user whose places (context.geo latitude and longitude) are too far apart for the time between them. */
export const impossibleTravel: Rule<z.output<typeof Settings>> = {
  name: 'impossible-travel',
  description: 'two successful user.login of one user whose context.geo imply more than `maxKmPerHour`',
  settings: Settings,
  evaluate(event, settings, state) {
    if (event.action !== 'user.login' || event.outcome !== 'success') return undefined;
    const user = userOf(event);
    const { latitude, longitude } = event.origin;
    if (user === undefined || latitude === undefined || longitude === undefined) return undefined;
    const previous = state.get<Place>(user, event.at);
    const here: Place = { mark: markOf(event), latitude, longitude };
    state.set(user, here, event.at + settings.memoryHours * HOUR);
    if (previous === undefined) return undefined;
    const km = distanceKm(previous, here);
    const hours = (event.at - previous.mark.at) / HOUR;
    if (km < settings.minDistanceKm || km <= settings.maxKmPerHour * hours) return undefined;
    const speed = hours > 0 ? `${Math.round(km / hours)} km/h` : 'at the same instant';
    return {
      key: user,
      severity: 'high',
      summary: `user ${user} logged in ${Math.round(km)} km apart within ${Math.round(hours * 60)} min (${speed})`,
      evidence: [previous.mark, here.mark],
    };
  },
};
