import { formatPath, type IdentityEventInput } from './schema.js';

/**
 * Finds secrets carried under a known name in context, changes and metadata
 * (DESIGN.md: passwords, secrets, tokens and keys are never recorded).
 *
 * A key is judged on its normalized name: lowercase, with "-", "_", "." and
 * whitespace removed ("X-Api-Key", "api_key" and "apiKey" are all "apikey").
 *
 * 1. A name is secret-like when it contains one of SECRET_WORDS or equals one of
 *    SECRET_NAMES. Containment catches "newPassword", "x-api-key", "refresh_token",
 *    "secretAccessKey", "sessionCookie". The short words in SECRET_NAMES would
 *    match inside ordinary words ("footprint" contains "otp"), so they must be the
 *    whole name.
 * 2. Unless the name describes a secret rather than carries it: the part after the
 *    last secret word ends with a DESCRIPTOR ("apiKeyId", "tokenType",
 *    "passwordMinLength", "passwordChangedAt", "tokenCount", "tokenEndpoint"), or
 *    the name is a count of AI tokens ("promptTokens", "max_tokens",
 *    "gen_ai.usage.input_tokens"). AI events carry token counts (DESIGN.md), and
 *    security.policy.changed carries password rules; refusing those would force
 *    clients to rename honest fields. Anything else after the word ("passwordHash",
 *    "tokenValue", "authorizationCode") stays secret: a hash of a password can be
 *    cracked offline, an authorization code can be redeemed.
 * 3. What is refused is a value: a string or number under a secret-like name
 *    (a PIN is a number). null and booleans carry no secret ("passwordResetRequired":
 *    true, "cookieConsent": false are fine).
 * 4. An object or array under a secret-like name is a container of secrets
 *    ("credentials": [...], "cookies": {"sid": "..."}): inside it, every string or
 *    number is refused unless its own name describes a secret: exactly a DESCRIPTOR
 *    ("type", "id", "createdAt"...) or a name of rule 2 ("apiKeyId"). So a list of
 *    credential descriptions passes and a cookie jar does not.
 *
 * Paths are reported like the schema's: "changes.after.credentials[0].apiKey".
 */

const SECRET_WORDS = [
  'password',
  'passwd',
  'passphrase',
  'passcode',
  'secret',
  'token',
  'apikey',
  'privatekey',
  'privkey',
  'accesskey',
  'sessionkey',
  'signingkey',
  'encryptionkey',
  'authorization',
  'cookie',
  'credential',
  'recoverycode',
  'jwt',
] as const;

const SECRET_NAMES = new Set(['pwd', 'pin', 'otp']);

/** Words that, ending a name, say it describes a secret: identity, counts, policy, time, configuration. */
const DESCRIPTORS = [
  'id', 'ids', 'name', 'names', 'type', 'types', 'kind', 'status', 'state', 'scheme', 'format', 'version',
  'count', 'counts', 'used', 'usage', 'limit', 'limits', 'total', 'budget',
  'length', 'strength', 'complexity', 'history', 'policy', 'policies', 'rules', 'required', 'enabled', 'disabled',
  'set', 'changed', 'expired', 'revoked', 'rotation', 'expiry', 'expiration', 'expiresin', 'ttl', 'lifetime', 'age',
  'days', 'hours', 'minutes', 'seconds',
  'createdat', 'updatedat', 'changedat', 'issuedat', 'expiresat', 'lastusedat', 'rotatedat', 'setat', 'resetat', 'revokedat',
  'lastused', 'lastchanged',
  'method', 'methods', 'provider', 'scope', 'scopes', 'algorithm', 'endpoint', 'url', 'uri',
] as const;
const DESCRIPTOR_SET: ReadonlySet<string> = new Set(DESCRIPTORS);

/** What precedes "tokens" in the names of AI token counts (OpenAI, Anthropic, OpenTelemetry gen_ai.usage.*). */
const TOKEN_COUNT_PREFIXES = ['prompt', 'completion', 'input', 'output', 'total', 'max', 'cached', 'reasoning', 'num', 'candidates'];

/** Whole names that contain a secret word and are not secrets. */
const ALLOWED_NAMES = new Set(['tokenizer']);

export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_.\s]/g, '');
}

type NameKind = 'secret' | 'describes-secret' | 'plain';

/** Rules 1 and 2: does this key name carry a secret, describe one, or neither? */
function classifyName(key: string): NameKind {
  const name = normalizeKey(key);
  if (SECRET_NAMES.has(name)) return 'secret';
  if (ALLOWED_NAMES.has(name)) return 'describes-secret';
  let word: string | undefined;
  let end = -1;
  for (const candidate of SECRET_WORDS) {
    const at = name.lastIndexOf(candidate);
    if (at >= 0 && at + candidate.length > end) {
      word = candidate;
      end = at + candidate.length;
    }
  }
  if (word === undefined) return DESCRIPTOR_SET.has(name) ? 'describes-secret' : 'plain';
  const rest = name.slice(end);
  if (rest === '' || rest === 's') {
    const before = name.slice(0, end - word.length);
    const tokenCount = word === 'token' && rest === 's' && TOKEN_COUNT_PREFIXES.some((prefix) => before.endsWith(prefix));
    return tokenCount ? 'describes-secret' : 'secret';
  }
  return DESCRIPTORS.some((descriptor) => rest.endsWith(descriptor)) ? 'describes-secret' : 'secret';
}

export function isSecretName(key: string): boolean {
  return classifyName(key) === 'secret';
}

type Segment = string | number;

function walk(value: unknown, path: Segment[], insideSecret: boolean, found: Segment[][]): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, [...path, i], insideSecret, found));
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const kind = classifyName(key);
      // Rule 4: inside a container of secrets, only names that describe a secret hold plain values.
      if (insideSecret && kind === 'describes-secret' && (child === null || typeof child !== 'object')) continue;
      walk(child, [...path, key], kind === 'secret' || insideSecret, found);
    }
    return;
  }
  if (insideSecret && (typeof value === 'string' || typeof value === 'number')) found.push(path);
}

/**
 * Paths of every secret carried in the input's context, changes and metadata, in
 * document order; [] when there is none. Paths have no prefix: a batch handler
 * prepends "events[3].".
 */
export function findSecretFields(input: Pick<IdentityEventInput, 'context' | 'changes' | 'metadata'>): string[] {
  const found: Segment[][] = [];
  for (const part of ['context', 'changes', 'metadata'] as const) {
    if (input[part] !== undefined) walk(input[part], [part], false, found);
  }
  return found.map((path) => formatPath('', path));
}
