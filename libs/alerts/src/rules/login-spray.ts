import { z } from 'zod';
import { DAY, MINUTE, markOf, userOf, type Rule } from '../rule.js';

const Settings = z.strictObject({
  enabled: z.boolean().default(true),
  users: z.int().min(2).max(10_000).default(20),
  windowMinutes: z.int().min(1).max(1440).default(10),
  usersPerDay: z.int().min(2).max(10_000).default(100),
});

/** Failed logins from one IP against many users: password spraying or credential stuffing. */
export const loginSpray: Rule<z.output<typeof Settings>> = {
  name: 'login-spray',
  description: 'failed user.login from one IP against at least `users` distinct users within `windowMinutes`, or `usersPerDay` in a day',
  settings: Settings,
  evaluate(event, settings, state) {
    if (event.action !== 'user.login' || event.outcome !== 'failure') return undefined;
    const user = userOf(event);
    const ip = event.origin.ip;
    if (user === undefined || ip === undefined) return undefined;
    const mark = markOf(event, user);
    const short = state.remember(`short|${ip}`, mark, settings.windowMinutes * MINUTE, settings.users, true);
    const day = state.remember(`day|${ip}`, mark, DAY, settings.usersPerDay, true);
    const [evidence, span] =
      short.length >= settings.users ? [short, `${settings.windowMinutes} min`] : day.length >= settings.usersPerDay ? [day, 'a day'] : [];
    if (evidence === undefined) return undefined;
    return { key: ip, severity: 'high', summary: `failed logins from ${ip} against ${evidence.length} users within ${span}`, evidence };
  },
};
