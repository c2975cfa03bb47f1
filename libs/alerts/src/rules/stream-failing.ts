import { z } from 'zod';
import { markOf, type Rule } from '../rule.js';

const Settings = z.strictObject({ enabled: z.boolean().default(true) });

/**
 * A log stream that spent its attempts on a batch (the service's stream.failing event): its receiver is
 * down or refuses it, and the tenant's SIEM falls behind until someone looks. One open alert per stream.
 */
export const streamFailing: Rule<z.output<typeof Settings>> = {
  name: 'stream-failing',
  description: 'a log stream turned failing (stream.failing): its receiver refused or missed every attempt of a batch',
  settings: Settings,
  evaluate(event) {
    const stream = event.targets[0];
    if (event.action !== 'stream.failing' || stream?.type !== 'stream') return undefined;
    const error = typeof event.metadata?.error === 'string' ? `: ${event.metadata.error}` : '';
    return { key: stream.id, severity: 'high', summary: `log stream ${stream.id} is failing${error}`, evidence: [markOf(event)] };
  },
};
