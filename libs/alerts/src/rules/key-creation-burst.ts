import { z } from 'zod';
import { MINUTE, markOf, partyName, type Rule } from '../rule.js';

const Settings = z.strictObject({
  enabled: z.boolean().default(true),
  created: z.int().min(2).max(10_000).default(5),
  windowMinutes: z.int().min(1).max(1440).default(60),
});

/**
 * Many API keys created by one actor: persistence being planted. (Named without "api key": settings travel in
 * event metadata, where a name containing "apiKey" is refused as a secret.)
 */
export const keyCreationBurst: Rule<z.output<typeof Settings>> = {
  name: 'key-creation-burst',
  description: 'at least `created` api_key.created by one actor within `windowMinutes`',
  settings: Settings,
  evaluate(event, settings, state) {
    if (event.action !== 'api_key.created' || event.outcome !== 'success') return undefined;
    const actor = partyName(event.actor);
    const marks = state.remember(actor, markOf(event), settings.windowMinutes * MINUTE, settings.created);
    if (marks.length < settings.created) return undefined;
    return { key: actor, severity: 'medium', summary: `${actor} created ${marks.length} API keys within ${settings.windowMinutes} min`, evidence: marks };
  },
};
