import { readFileSync } from 'node:fs';
import { sha256 } from '@noble/hashes/sha2.js';
import type { TenantScope } from '@trailmark/domain';
import { ConfigError } from '../../config.js';
import { ViewerTokens } from './viewer-tokens.js';

export const ROLES = ['ingest', 'reader', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: a token's name, what it may do, and for which tenants. */
export interface Principal {
  readonly name: string;
  readonly roles: ReadonlySet<Role>;
  readonly tenants: TenantScope;
}

/**
 * Bearer tokens: TRAILMARK_TOKENS_FILE lists `{name, sha256, roles, tenants}` (only the token's
 * SHA-256 is stored), and TRAILMARK_DEV_TOKEN is an all-tenant admin for local use; plus the viewer tokens
 * admins mint at run time (viewer-tokens.ts).
 */
export class Credentials {
  readonly viewerTokens = new ViewerTokens();

  private constructor(private readonly byDigest: ReadonlyMap<string, Principal>) {}

  static load(options: { tokensFile?: string; devToken?: string }): Credentials {
    const byDigest = new Map<string, Principal>();
    if (options.tokensFile !== undefined) {
      for (const principal of parseTokensFile(options.tokensFile)) byDigest.set(principal.digest, principal);
    }
    if (options.devToken !== undefined) {
      const digest = digestOf(options.devToken);
      const taken = byDigest.get(digest);
      // One token, two principals: which roles and tenants it has would depend on the order of loading.
      if (taken) throw new ConfigError(`TRAILMARK_DEV_TOKEN is the token of "${taken.name}" in TRAILMARK_TOKENS_FILE: give each its own token`);
      byDigest.set(digest, { name: 'dev', roles: new Set(ROLES), tenants: '*' });
    }
    return new Credentials(byDigest);
  }

  /** The principal a bearer token stands for, or undefined for an unknown token. */
  authenticate(token: string): Principal | undefined {
    return this.byDigest.get(digestOf(token)) ?? this.viewerTokens.authenticate(token);
  }
}

function digestOf(token: string): string {
  return Buffer.from(sha256(new TextEncoder().encode(token))).toString('hex');
}

function parseTokensFile(path: string): (Principal & { digest: string })[] {
  let entries: unknown;
  try {
    entries = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`TRAILMARK_TOKENS_FILE ${path}: ${(error as Error).message}`);
  }
  if (!Array.isArray(entries)) throw new ConfigError(`TRAILMARK_TOKENS_FILE ${path}: expected a JSON array of tokens`);
  const entryOfDigest = new Map<string, string>();
  return entries.map((entry: unknown, i) => {
    const where = `TRAILMARK_TOKENS_FILE ${path}: entry ${i}`;
    const { name, sha256: digest, roles, tenants } = (entry ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || name === '') throw new ConfigError(`${where}: "name" must be a non-empty string`);
    if (typeof digest !== 'string' || !/^[0-9a-f]{64}$/i.test(digest)) {
      throw new ConfigError(`${where} (${name}): "sha256" must be the token's SHA-256 in 64 hex digits`);
    }
    const same = entryOfDigest.get(digest.toLowerCase());
    if (same !== undefined) {
      throw new ConfigError(`${where} (${name}): "sha256" is the digest of ${same} too: one token cannot stand for two entries`);
    }
    entryOfDigest.set(digest.toLowerCase(), `entry ${i} (${name})`);
    if (!Array.isArray(roles) || roles.length === 0) {
      throw new ConfigError(`${where} (${name}): "roles" must list some of ${ROLES.join(', ')}`);
    }
    const unknownRole = roles.find((role) => !ROLES.includes(role as Role));
    if (unknownRole !== undefined) {
      throw new ConfigError(`${where} (${name}): unknown role ${JSON.stringify(unknownRole)}; the roles are ${ROLES.join(', ')}`);
    }
    if (!Array.isArray(tenants) || tenants.length === 0) {
      throw new ConfigError(`${where} (${name}): "tenants" is empty: list tenant ids, or ["*"] for all`);
    }
    if (!tenants.every((tenant) => typeof tenant === 'string' && tenant !== '')) {
      throw new ConfigError(`${where} (${name}): "tenants" must list tenant ids, or be ["*"]`);
    }
    return {
      name,
      digest: digest.toLowerCase(),
      roles: new Set(roles as Role[]),
      tenants: tenants.includes('*') ? '*' : (tenants as string[]),
    };
  });
}
