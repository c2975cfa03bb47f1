import { z } from 'zod';
import type { Rule, RuleSettings } from './rule.js';

/** A tenant's own settings: for some rules, some of their fields; the rest are the rule's defaults. */
export type RuleOverrides = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** Every rule's complete settings, by rule name. */
export type EffectiveSettings = Readonly<Record<string, RuleSettings & Record<string, unknown>>>;

/** A tenant's overrides that do not fit a rule's settings: the field named, as the API reports it. */
export class InvalidRuleSettingsError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Checks `body` as overrides of `rules` (an object of rule name → partial settings) and returns it. */
export function parseRuleOverrides(rules: readonly Rule[], body: unknown): RuleOverrides {
  const schema = z.strictObject(Object.fromEntries(rules.map((rule) => [rule.name, z.record(z.string(), z.unknown()).optional()])));
  const outer = schema.safeParse(body);
  if (!outer.success) {
    const issue = outer.error.issues[0]!;
    const name = issue.code === 'unrecognized_keys' ? issue.keys[0]! : issue.path.join('.');
    const known = rules.map((rule) => rule.name).join(', ');
    throw new InvalidRuleSettingsError(name, issue.code === 'unrecognized_keys' ? `no rule "${name}": the rules are ${known}` : `${name || 'rules'} must be an object`);
  }
  const overrides = outer.data as RuleOverrides;
  for (const rule of rules) {
    const result = rule.settings.safeParse(overrides[rule.name] ?? {});
    if (!result.success) {
      const issue = result.error.issues[0]!;
      const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
      const field = [rule.name, ...path.map(String)].join('.');
      throw new InvalidRuleSettingsError(field, issue.code === 'unrecognized_keys' ? `${field} is not a setting of ${rule.name}` : `${field}: ${issue.message}`);
    }
  }
  return overrides;
}

/** The complete settings a tenant's overrides (already checked) give every rule. */
export function effectiveSettings(rules: readonly Rule[], overrides: RuleOverrides = {}): EffectiveSettings {
  return Object.fromEntries(rules.map((rule) => [rule.name, rule.settings.parse(overrides[rule.name] ?? {}) as RuleSettings & Record<string, unknown>]));
}
