import { randomBytes } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import type { Principal } from './credentials.js';

/** A viewer token's rights: read one tenant's log (search, events, proofs, exports, access review), change nothing. */
const VIEWER_ROLES = new Set(['reader', 'auditor'] as const);

export interface IssuedViewerToken {
  readonly token: string;
  /** The first 8 hex digits of the token's SHA-256: names the token in the log without revealing it. */
  readonly tokenId: string;
  readonly principal: Principal;
  readonly expiresAt: Date;
}

/**
 * Short-lived read-only tokens for one tenant, minted by an admin for the console (issue 19). Only their
 * SHA-256 is kept, in memory: a restart forgets them, which a 15-minute token can afford, and nothing of
 * them is written to disk. `now` is the wall clock (Date.now), read on every check, so an expired token
 * is refused at its first use after its expiry.
 */
export class ViewerTokens {
  private readonly byDigest = new Map<string, { principal: Principal; expiresAtMs: number }>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  /** A new token, not yet accepted: the caller records its minting first, then activates it. */
  reserve(tenant: string, ttlSeconds: number): IssuedViewerToken {
    const token = `tmv_${randomBytes(32).toString('base64url')}`;
    const digest = digestOf(token);
    const tokenId = digest.slice(0, 8);
    const principal: Principal = { name: `viewer:${tenant}:${tokenId}`, roles: VIEWER_ROLES, tenants: [tenant] };
    return { token, tokenId, principal, expiresAt: new Date(this.now() + ttlSeconds * 1000) };
  }

  activate(issued: IssuedViewerToken): void {
    this.forgetExpired();
    this.byDigest.set(digestOf(issued.token), { principal: issued.principal, expiresAtMs: issued.expiresAt.getTime() });
  }

  /** The principal of a live viewer token; undefined for an unknown or expired one. */
  authenticate(token: string): Principal | undefined {
    if (!token.startsWith('tmv_')) return undefined;
    const digest = digestOf(token);
    const held = this.byDigest.get(digest);
    if (!held) return undefined;
    if (this.now() >= held.expiresAtMs) {
      this.byDigest.delete(digest);
      return undefined;
    }
    return held.principal;
  }

  private forgetExpired(): void {
    const now = this.now();
    for (const [digest, { expiresAtMs }] of this.byDigest) if (now >= expiresAtMs) this.byDigest.delete(digest);
  }
}

function digestOf(token: string): string {
  return Buffer.from(sha256(new TextEncoder().encode(token))).toString('hex');
}
