import { parseCosignerKey, type CosignerKey } from './cosignature.js';
import { FormatError } from './errors.js';
import { parseEd25519Vkey, parseVerifierKey, type NoteVerifier } from './note.js';

// A C2SP tlog-policy file (c2sp.org/tlog-policy): which logs and witnesses are known, and the
// quorum of witnesses whose cosignatures make a checkpoint valid. Line based; items separated
// by spaces or tabs; blank lines and lines starting with "#" ignored:
//
//   log <vkey> [<url>]                     the log's vkey (type 0x01), named after its origin
//   witness <name> <vkey> [<url>]          a cosigner's vkey (type 0x04); url: its submission prefix
//   group <name> all|any|<k> <name>...     at least k of the members (witnesses or earlier groups)
//   quorum <name>|none                     exactly once
//
// A group or the quorum names only what earlier lines defined; a name is a member of a group at
// most once; two witnesses (or two logs) may not wrap the same public key.

export interface PolicyLog {
  verifier: NoteVerifier;
  vkey: string;
  url?: string;
}

export interface PolicyWitness {
  /** the name the policy gives it (for groups and the quorum) */
  name: string;
  key: CosignerKey;
  url?: string;
}

export type QuorumRule =
  | { kind: 'none' }
  | { kind: 'witness'; name: string }
  | { kind: 'group'; name: string; threshold: number; members: QuorumRule[] };

export interface WitnessPolicy {
  logs: PolicyLog[];
  witnesses: PolicyWitness[];
  quorum: QuorumRule;
}

/**
 * Parses a policy file. Throws FormatError naming the line and what is wrong with it.
 * `quorumOptional` reads a file whose quorum line may be missing (then "none"): a witness's list of logs.
 */
export function parseWitnessPolicy(text: string, options: { quorumOptional?: boolean } = {}): WitnessPolicy {
  const control = /[\u0000-\u0008\u000b-\u001f\u007f]/.exec(text);
  if (control) {
    throw new FormatError(`policy holds the control character U+${control[0].charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  const logs: PolicyLog[] = [];
  const witnesses: PolicyWitness[] = [];
  const rules = new Map<string, QuorumRule>();
  const publicKeys = new Set<string>();
  let quorum: QuorumRule | undefined;

  text.split('\n').forEach((rawLine, i) => {
    const where = `policy line ${i + 1}`;
    const items = rawLine.split(/[ \t]+/).filter((item) => item !== '');
    if (items.length === 0 || items[0]!.startsWith('#')) return;
    const [keyword, ...args] = items as [string, ...string[]];
    const fail = (message: string): never => {
      throw new FormatError(`${where} (${keyword}): ${message}`);
    };
    const keyOnce = (publicKey: Uint8Array, what: string): void => {
      const id = `${what}:${Array.from(publicKey, (b) => b.toString(16).padStart(2, '0')).join('')}`;
      if (publicKeys.has(id)) fail(`this ${what} key is already listed`);
      publicKeys.add(id);
    };
    switch (keyword) {
      case 'log': {
        if (args.length < 1 || args.length > 2) fail('expected "log <vkey> [<url>]"');
        let verifier: NoteVerifier;
        try {
          verifier = parseVerifierKey(args[0]!);
        } catch (error) {
          return fail((error as Error).message);
        }
        const { publicKey } = parseEd25519Vkey(args[0]!, 0x01, 'Ed25519');
        keyOnce(publicKey, 'log');
        logs.push({ verifier, vkey: args[0]!, ...(args[1] !== undefined && { url: args[1] }) });
        return;
      }
      case 'witness': {
        if (args.length < 2 || args.length > 3) fail('expected "witness <name> <vkey> [<url>]"');
        const [name, vkey, url] = args as [string, string, string | undefined];
        if (name === 'none') fail('"none" is reserved');
        if (rules.has(name)) fail(`the name ${name} is already defined`);
        let key: CosignerKey;
        try {
          key = parseCosignerKey(vkey);
        } catch (error) {
          return fail((error as Error).message);
        }
        keyOnce(key.publicKey, 'witness');
        witnesses.push({ name, key, ...(url !== undefined && { url }) });
        rules.set(name, { kind: 'witness', name });
        return;
      }
      case 'group': {
        if (args.length < 3) fail('expected "group <name> all|any|<k> <name>..."');
        const [name, thresholdText, ...memberNames] = args as [string, string, ...string[]];
        if (name === 'none') fail('"none" is reserved');
        if (rules.has(name)) fail(`the name ${name} is already defined`);
        const members = memberNames.map((member, m) => {
          if (memberNames.indexOf(member) !== m) fail(`${member} is listed twice`);
          const rule = rules.get(member);
          if (rule === undefined) fail(`${member} is not a witness or group defined on an earlier line`);
          return rule!;
        });
        let threshold: number;
        if (thresholdText === 'all') threshold = members.length;
        else if (thresholdText === 'any') threshold = 1;
        else if (/^[1-9][0-9]*$/.test(thresholdText) && Number(thresholdText) <= members.length) threshold = Number(thresholdText);
        else return fail(`threshold ${JSON.stringify(thresholdText)} is not all, any or a number from 1 to ${members.length}`);
        rules.set(name, { kind: 'group', name, threshold, members });
        return;
      }
      case 'quorum': {
        if (args.length !== 1) fail('expected "quorum <name>" or "quorum none"');
        if (quorum !== undefined) fail('a policy has exactly one quorum line');
        if (args[0] === 'none') {
          quorum = { kind: 'none' };
          return;
        }
        const rule = rules.get(args[0]!);
        if (rule === undefined) fail(`${args[0]} is not a witness or group defined on an earlier line`);
        quorum = rule;
        return;
      }
      default:
        fail('unknown keyword: a line is log, witness, group or quorum');
    }
  });
  if (quorum === undefined && options.quorumOptional) quorum = { kind: 'none' };
  if (quorum === undefined) throw new FormatError('policy has no quorum line ("quorum <name>" or "quorum none")');
  return { logs, witnesses, quorum };
}

/** Whether witnesses named in `cosigned` (policy names) satisfy the rule. */
export function quorumMet(rule: QuorumRule, cosigned: ReadonlySet<string>): boolean {
  switch (rule.kind) {
    case 'none':
      return true;
    case 'witness':
      return cosigned.has(rule.name);
    case 'group':
      return rule.members.filter((member) => quorumMet(member, cosigned)).length >= rule.threshold;
  }
}

/** The quorum in words, for messages: "w1", "2 of (w1, w2, w3)", "none". */
export function describeQuorum(rule: QuorumRule): string {
  if (rule.kind === 'none') return 'none';
  if (rule.kind === 'witness') return rule.name;
  return `${rule.threshold} of (${rule.members.map(describeQuorum).join(', ')})`;
}
