import { z } from 'zod';
import { MINUTE, markOf, partyName, type Rule } from '../rule.js';

const Settings = z.strictObject({
  enabled: z.boolean().default(true),
  maxExports: z.int().min(1).max(100_000).default(10),
  windowMinutes: z.int().min(1).max(1440).default(60),
  maxRows: z.int().min(1).default(100_000),
});

const EXPORTS = new Set(['data.exported', 'audit_log.exported']);

/** More exports by one actor than a person makes, or one export of too many rows. */
export const bulkExport: Rule<z.output<typeof Settings>> = {
  name: 'bulk-export',
  description: 'more than `maxExports` data.exported or audit_log.exported by one actor within `windowMinutes`, or one with metadata.rowCount over `maxRows`',
  settings: Settings,
  evaluate(event, settings, state) {
    if (!EXPORTS.has(event.action) || event.outcome !== 'success') return undefined;
    const actor = partyName(event.actor);
    const marks = state.remember(actor, markOf(event), settings.windowMinutes * MINUTE, settings.maxExports + 1);
    const rows = event.metadata?.rowCount;
    if (marks.length > settings.maxExports) {
      return { key: actor, severity: 'high', summary: `${actor} made ${marks.length} exports within ${settings.windowMinutes} min`, evidence: marks };
    }
    if (typeof rows === 'number' && rows > settings.maxRows) {
      return { key: actor, severity: 'high', summary: `${actor} exported ${rows} rows at once`, evidence: [markOf(event)] };
    }
    return undefined;
  },
};
