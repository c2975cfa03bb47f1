// cosignature/v1 (C2SP tlog-cosignature) and tlog-policy, checked against the spec's bytes and
// against cosignatures made with node:crypto, an Ed25519 implementation independent of noble.
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import {
  cosignedMessage,
  decodeBase64,
  decodeCosignature,
  describeQuorum,
  encodeBase64,
  FormatError,
  openWitnessedCheckpoint,
  parseCosignerKey,
  parseWitnessPolicy,
  quorumMet,
  VerificationError,
} from '../src/index.js';
import { signNote, testKey } from './note-keys.js';

describe('the C2SP tlog-cosignature example', () => {
  const line = 'jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==';

  it('decodes to key id, big-endian 8-byte timestamp and a 64-byte signature', () => {
    const bytes = decodeBase64(line);
    const keyId = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0);
    const cosignature = decodeCosignature({ name: 'witness.example.com/w1', keyId, signature: bytes.slice(4) });
    expect(keyId.toString(16)).toBe('8d66cf3f');
    expect(cosignature.timestamp).toBe(1679315147n);
    expect(Buffer.from(cosignature.signature).toString('hex')).toBe(
      '119307c1245a24d8880e87bd0d89ffcd772bb4f1dea25308e4e59712164207d765ac326c5f76f6a328a7d673d9aa17f99cda34c547be99b2140640487d9faa9c',
    );
  });

  it('signs the message the spec spells out', () => {
    const body = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
    expect(new TextDecoder().decode(cosignedMessage(body, 1679315147n))).toBe(
      'cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
    );
  });

  it('refuses a line whose signature is not timestamp and 64 bytes', () => {
    expect(() => decodeCosignature({ name: 'w', keyId: 1, signature: new Uint8Array(64) })).toThrow(FormatError);
  });
});

/** A witness key made and used by node:crypto only: key id, vkey and signatures computed from the spec. */
function nodeWitness(name: string): { vkey: string; line(text: string, timestamp: bigint): string } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const keyBytes = Buffer.concat([Buffer.of(0x04), raw]);
  const keyId = createHash('sha256').update(name).update('\n').update(keyBytes).digest().subarray(0, 4);
  return {
    vkey: `${name}+${keyId.toString('hex')}+${keyBytes.toString('base64')}`,
    line: (text, timestamp) => {
      const time = Buffer.alloc(8);
      time.writeBigUInt64BE(timestamp);
      const signature = sign(null, Buffer.from(`cosignature/v1\ntime ${timestamp}\n${text}`), privateKey as KeyObject);
      return `— ${name} ${Buffer.concat([keyId, time, signature]).toString('base64')}\n`;
    },
  };
}

describe('openWitnessedCheckpoint', () => {
  const log = testKey('example.com/log', 7);
  const text = `example.com/log\n5\n${encodeBase64(new Uint8Array(32).fill(9))}\n`;
  const w1 = nodeWitness('w1.example');
  const w2 = nodeWitness('w2.example');
  const w3 = nodeWitness('w3.example');
  const policy = parseWitnessPolicy(
    `log ${log.vkey}\nwitness A ${w1.vkey} http://a\nwitness B ${w2.vkey}\nwitness C ${w3.vkey}\ngroup two 2 A B C\nquorum two\n`,
  );

  it('verifies cosignatures made by node:crypto and meets a 2-of-3 quorum', () => {
    const note = signNote(text, [log]) + w1.line(text, 1700000000n) + w3.line(text, 1700000001n);
    const witnessed = openWitnessedCheckpoint(note, log.vkey, policy);
    expect(witnessed.checkpoint.size).toBe(5n);
    expect([...witnessed.cosignatures.keys()]).toEqual(['A', 'C']);
    expect(witnessed.cosignatures.get('C')!.timestamp).toBe(1700000001n);
  });

  it('fails the quorum with one cosignature, naming who cosigned', () => {
    const note = signNote(text, [log]) + w2.line(text, 1700000000n);
    expect(() => openWitnessedCheckpoint(note, log.vkey, policy)).toThrow(/quorum 2 of \(A, B, C\).*cosigned only by B/);
  });

  it('refuses a cosignature whose timestamp was changed', () => {
    const good = w1.line(text, 1700000000n);
    const bytes = decodeBase64(good.split(' ')[2]!.trim());
    bytes[11]! ^= 1; // the timestamp's last byte
    const forged = `— w1.example ${encodeBase64(bytes)}\n`;
    expect(() => openWitnessedCheckpoint(signNote(text, [log]) + forged + w2.line(text, 1n), log.vkey, policy)).toThrow(VerificationError);
  });

  it('does not take a plain note signature by the witness key (type 0x01) for a cosignature', () => {
    const asNoteKey = testKey('w1.example', 3);
    const note = signNote(text, [log, asNoteKey]) + w2.line(text, 1n);
    expect(() => openWitnessedCheckpoint(note, log.vkey, policy)).toThrow(/cosigned only by B/);
  });

  it("refuses a log the policy's log lines do not list", () => {
    const other = testKey('example.com/other', 8);
    const otherText = text.replace('example.com/log', 'example.com/other');
    const note = signNote(otherText, [other]) + w1.line(otherText, 1n) + w2.line(otherText, 1n);
    expect(() => openWitnessedCheckpoint(note, other.vkey, policy)).toThrow(/not one of the policy's logs/);
  });

  it('checks cosignatures over the whole body, extension lines included', () => {
    const withExtension = `${text}extension line\n`;
    const note = signNote(withExtension, [log]) + w1.line(text, 1n) + w2.line(text, 1n);
    expect(() => openWitnessedCheckpoint(note, log.vkey, policy)).toThrow(VerificationError);
  });
});

describe('parseWitnessPolicy', () => {
  const keys = ['x1', 'x2', 'x3', 'y1'].map((name) => nodeWitness(name).vkey);

  it('reads the tlog-policy example shape: groups of groups, any, all and k', () => {
    const policy = parseWitnessPolicy(
      `# comment\n\n  witness X1 ${keys[0]}\t http://x1.example/\nwitness X2 ${keys[1]}\nwitness X3 ${keys[2]}\n` +
        `group X 2 X1 X2 X3\nwitness Y1 ${keys[3]}\ngroup Y any Y1\ngroup XY all X Y\nquorum XY\n`,
    );
    expect(policy.witnesses.map((w) => [w.name, w.url])).toEqual([['X1', 'http://x1.example/'], ['X2', undefined], ['X3', undefined], ['Y1', undefined]]);
    expect(describeQuorum(policy.quorum)).toBe('2 of (2 of (X1, X2, X3), 1 of (Y1))');
    expect(quorumMet(policy.quorum, new Set(['X1', 'X3', 'Y1']))).toBe(true);
    expect(quorumMet(policy.quorum, new Set(['X1', 'Y1']))).toBe(false);
    expect(quorumMet(policy.quorum, new Set(['X1', 'X2']))).toBe(false);
    expect(parseWitnessPolicy('quorum none\n').quorum).toEqual({ kind: 'none' });
  });

  it.each([
    ['no quorum', `witness A ${keys[0]}\n`, /no quorum line/],
    ['two quorums', `witness A ${keys[0]}\nquorum A\nquorum A\n`, /exactly one quorum/],
    ['a name used before it is defined', `group G any A\nwitness A ${keys[0]}\nquorum G\n`, /line 1.*A is not a witness or group defined/],
    ['a member listed twice', `witness A ${keys[0]}\ngroup G 1 A A\nquorum G\n`, /A is listed twice/],
    ['a threshold above the members', `witness A ${keys[0]}\ngroup G 2 A\nquorum G\n`, /threshold "2"/],
    ['the same key twice', `witness A ${keys[0]}\nwitness B ${keys[0]}\nquorum A\n`, /line 2.*already listed/],
    ['a log key as a witness key', `witness A ${testKey('w', 1).vkey}\nquorum A\n`, /signature type 1, only 4/],
    ['an unknown keyword', 'cosigner A x\nquorum none\n', /unknown keyword/],
    ['a control character', 'quorum none\r\n', /control character U\+000d/],
  ])('refuses %s', (_what, text, message) => {
    expect(() => parseWitnessPolicy(text)).toThrow(message);
  });

  it('parses a cosigner vkey and checks its key id against type 0x04', () => {
    const vkey = keys[0]!;
    expect(parseCosignerKey(vkey).name).toBe('x1');
    const key = vkey.slice('x1+'.length + 9);
    expect(() => parseCosignerKey(`x1+00000000+${key}`)).toThrow(/does not match/);
  });
});
