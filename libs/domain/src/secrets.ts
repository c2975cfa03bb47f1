import unhomoglyph from 'unhomoglyph';
import { formatPath, type IdentityEventInput } from './schema.js';

/**
 * Finds secrets carried under a known name in context, changes and metadata
 * (DESIGN.md: passwords, secrets, tokens and keys are never recorded).
 *
 * A key is judged on its words. The name is NFKC-normalised, stripped of default-ignorable and
 * format characters (zero-width spaces, joiners, bidi marks), and cut into words at "-", "_",
 * ".", spaces, any other non-letter, and camelCase humps ("newPasswordHash" is new, password,
 * hash; "APIKey" is api, key). Each word is lowercased (case never matters), then mapped to its UTS #39 skeleton with
 * the Unicode confusables table (the unhomoglyph package: NFD, map, NFD), and so is every word
 * below, so "pаsswоrd" in Cyrillic, "ｐａｓｓｗｏｒｄ" and "passw0rd" all read as "password".
 *
 * 1. A name mentions a secret when its words, joined, contain one of SECRET_WORDS ("newpassword",
 *    "x-api-key", "refresh_token"), or when one of its words is one of SHORT_SECRETS or starts with
 *    "otp", or when its words hold one of SECRET_PHRASES in order ("mfa ... code", "ssh ... key",
 *    "private ... key"), or when it is an "X-Auth..." header. Short words must be whole words, or
 *    "footprint" would hold "otp" and "spinner" "pin".
 * 2. Such a name describes a secret rather than carries it when the words after the last secret
 *    end with a DESCRIPTOR, as whole words ("apiKeyId", "passwordMinLength", "tokenExpiresAt":
 *    "passwordReset" is a password, and "tokenOffset" is not a token's "set"), or when it counts
 *    AI tokens ("promptTokens", "gen_ai.usage.input_tokens"). Anything else after the secret
 *    ("passwordHash", "tokenValue") stays a secret: a hash of a password can be cracked offline.
 * 3. A string or number under a name that carries a secret is refused (a PIN is a number); null and
 *    booleans carry none ("passwordResetRequired": true).
 * 4. An object or array under any name that mentions a secret, carrying or describing it, is a
 *    container of secrets ("credentials": [...], "passwordHistory": ["hunter1"]): inside it, every
 *    string or number is refused unless its own name describes a secret: it ends with a DESCRIPTOR
 *    ("type", "createdAt", "maxAgeDays") or is a name of rule 2. So a list of credential descriptions and a
 *    policy's numbers pass, and a cookie jar or a list of old passwords does not.
 *
 * Paths are reported like the schema's: "changes.after.credentials[0].apiKey".
 */

/** UTS #39 skeleton of a lowercased word, lowercased again: two words that look alike compare equal. */
function skeleton(word: string): string {
  return unhomoglyph(word.toLowerCase().normalize('NFD')).normalize('NFD').toLowerCase();
}

const IGNORABLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}]/gu;
const NOT_A_WORD = /[^\p{L}\p{M}\p{N}]+/u;
// lower→Upper ("newPassword"), and the last capital of a run before a lowercase letter ("APIKey").
const CAMEL_HUMP = /(?<=[\p{Ll}\p{N}])(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})/u;

/** The words of a key name, normalised as above. */
export function nameWords(key: string): string[] {
  const text = key.normalize('NFKC').replace(IGNORABLE, '');
  return text
    .split(NOT_A_WORD)
    .flatMap((part) => part.split(CAMEL_HUMP))
    .filter((word) => word !== '')
    .map(skeleton);
}

const words = (list: readonly string[]): string[] => list.map(skeleton);

const SECRET_WORDS = words([
  'password', 'passwd', 'passphrase', 'passcode', 'secret', 'token', 'apikey', 'privatekey', 'privkey', 'accesskey',
  'sessionkey', 'signingkey', 'encryptionkey', 'authorization', 'cookie', 'credential', 'recoverycode', 'jwt',
]);

/** Secrets that are whole words only. */
const SHORT_SECRETS = new Set(words(['pwd', 'pw', 'pass', 'pin', 'otp', 'creds']));
const OTP = skeleton('otp');

/** Words that make a secret together, in this order, with any words between ("mfaBackupCode", "sshHostKey"). */
const SECRET_PHRASES = [['mfa', 'code'], ['ssh', 'key'], ['private', 'key']].map(words);

/** Words that, ending a name, say it describes a secret: identity, counts, policy, time, configuration. */
const DESCRIPTORS = new Set(
  words([
    'id', 'ids', 'name', 'names', 'type', 'types', 'kind', 'status', 'state', 'scheme', 'format', 'version',
    'count', 'counts', 'used', 'usage', 'limit', 'limits', 'total', 'budget',
    'length', 'strength', 'complexity', 'history', 'policy', 'policies', 'rules', 'required', 'enabled', 'disabled',
    'set', 'changed', 'expired', 'revoked', 'rotation', 'expiry', 'expiration', 'expiresin', 'ttl', 'lifetime', 'age',
    'days', 'hours', 'minutes', 'seconds',
    'createdat', 'updatedat', 'changedat', 'issuedat', 'expiresat', 'lastusedat', 'rotatedat', 'setat', 'resetat', 'revokedat',
    'lastused', 'lastchanged', 'fingerprint', 'fingerprints',
    'method', 'methods', 'provider', 'scope', 'scopes', 'algorithm', 'endpoint', 'url', 'uri',
  ]),
);

/** What precedes "tokens" in the names of AI token counts (OpenAI, Anthropic, OpenTelemetry gen_ai.usage.*). */
const TOKEN_COUNT_PREFIXES = words(['prompt', 'completion', 'input', 'output', 'total', 'max', 'cached', 'reasoning', 'num', 'candidates']);
const TOKEN = skeleton('token');

/** Whole names that contain a secret word and are not secrets. */
const ALLOWED_NAMES = new Set(words(['tokenizer']));

/** A plain descriptor ('type', 'createdAt') describes a secret only inside a container of secrets. */
type NameKind = 'secret' | 'describes-secret' | 'descriptor' | 'plain';

/** Where the last secret of a name ends: in the joined words, and which word it is in. */
interface SecretMatch {
  readonly start: number;
  readonly end: number;
  readonly word: string;
}

function lastSecret(parts: readonly string[]): SecretMatch | undefined {
  const joined = parts.join('');
  const starts: number[] = [];
  parts.reduce((at, part) => (starts.push(at), at + part.length), 0);
  let found: SecretMatch | undefined;
  const consider = (match: SecretMatch) => {
    if (!found || match.end > found.end) found = match;
  };
  for (const word of SECRET_WORDS) {
    const at = joined.lastIndexOf(word);
    if (at >= 0) consider({ start: at, end: at + word.length, word });
  }
  parts.forEach((part, i) => {
    const end = starts[i]! + part.length;
    if (SHORT_SECRETS.has(part) || part.startsWith(OTP)) consider({ start: starts[i]!, end, word: part });
    for (const [first, last] of SECRET_PHRASES) {
      if (part === last && parts.slice(0, i).includes(first!)) consider({ start: starts[parts.indexOf(first!)]!, end, word: part });
    }
  });
  // "X-Auth-Token", "X-Auth-Key", "X-Authorization": custom authentication headers.
  if (parts[0] === 'x' && parts[1]?.startsWith('auth')) consider({ start: 0, end: starts[1]! + parts[1].length, word: parts[1] });
  return found;
}

/** Rules 1 and 2: does this key name carry a secret, describe one, or neither? */
function classifyWords(parts: readonly string[]): NameKind {
  const joined = parts.join('');
  if (ALLOWED_NAMES.has(joined)) return 'describes-secret';
  const match = lastSecret(parts);
  if (match === undefined) return endsWithDescriptor(parts) ? 'descriptor' : 'plain';
  // What follows the secret, as whole words: the rest of the word it ends in, then the later words.
  const tail: string[] = [];
  let at = 0;
  for (const part of parts) {
    const end = at + part.length;
    if (end > match.end) tail.push(part.slice(Math.max(0, match.end - at)));
    at = end;
  }
  if (tail.length === 0 || (tail.length === 1 && tail[0] === 's')) {
    const before = joined.slice(0, match.start);
    const tokenCount = match.word === TOKEN && tail[0] === 's' && TOKEN_COUNT_PREFIXES.some((prefix) => before.endsWith(prefix));
    return tokenCount ? 'describes-secret' : 'secret';
  }
  return endsWithDescriptor(tail) ? 'describes-secret' : 'secret';
}

/** Whether the last word, or the last few joined ("expires", "at"), are a DESCRIPTOR. */
function endsWithDescriptor(parts: readonly string[]): boolean {
  for (let k = 1; k <= parts.length; k++) if (DESCRIPTORS.has(parts.slice(-k).join(''))) return true;
  return false;
}

// Names repeat from event to event: the skeleton of each is computed once (up to a bound).
const classified = new Map<string, NameKind>();
const CACHE_LIMIT = 10_000;

function classifyName(key: string): NameKind {
  let kind = classified.get(key);
  if (kind === undefined) {
    kind = classifyWords(nameWords(key));
    if (classified.size >= CACHE_LIMIT) classified.clear();
    classified.set(key, kind);
  }
  return kind;
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
      const container = child !== null && typeof child === 'object';
      // Rule 4: inside a container of secrets, only names that describe a secret hold plain values.
      if (insideSecret && (kind === 'describes-secret' || kind === 'descriptor') && !container) continue;
      walk(child, [...path, key], insideSecret || kind === 'secret' || (kind === 'describes-secret' && container), found);
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
