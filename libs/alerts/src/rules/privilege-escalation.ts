import { z } from 'zod';
import { markOf, type Rule } from '../rule.js';

const Settings = z.strictObject({
  enabled: z.boolean().default(true),
  privilegedRoles: z.array(z.string().min(1).max(256)).max(100).default(['admin', 'owner', 'superadmin', 'root']),
});

/** A privileged role granted (high), or any role granted by a user to themself (critical). */
export const privilegeEscalation: Rule<z.output<typeof Settings>> = {
  name: 'privilege-escalation',
  description: 'role.granted of one of `privilegedRoles` (high), or to the granting user themself (critical)',
  settings: Settings,
  evaluate(event, settings, state) {
    void state;
    if (event.action !== 'role.granted' || event.outcome !== 'success') return undefined;
    const subject = event.targets[0];
    const role = event.targets.slice(1).find((target) => target.type === 'role')?.id;
    if (subject === undefined || role === undefined) return undefined;
    const self = event.actor.type === 'user' && subject.type === 'user' && event.actor.id === subject.id;
    const privileged = settings.privilegedRoles.some((name) => name.toLowerCase() === role.toLowerCase());
    if (!self && !privileged) return undefined;
    const who = `${subject.type} ${subject.id}`;
    return {
      key: `${subject.type}:${subject.id}|${role}`,
      severity: self ? 'critical' : 'high',
      summary: self ? `user ${subject.id} granted themself the role ${role}` : `${who} was granted the privileged role ${role} by ${event.actor.id}`,
      evidence: [markOf(event)],
    };
  },
};
