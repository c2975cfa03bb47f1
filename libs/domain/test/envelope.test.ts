import { createHash } from 'node:crypto';
import {
  canonicalJson,
  detailCommitment,
  isRetryOf,
  LeafTooLargeError,
  MAX_LEAF_BYTES,
  parseEnvelope,
  parseIdentityEventInput,
  prepareEvent,
  StoredEventFormatError,
  streamFor,
  tenantStreamPrefix,
  type IdentityEventInput,
} from '@trailmark/domain';

const ID = '0190f1c4-7b7e-7c4a-9e2f-3b1d5c6a7e8f';
const TIME = '2026-11-22T09:30:00.123456Z';
const SALT = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

function roleGranted(extra: Record<string, unknown> = {}): IdentityEventInput {
  return parseIdentityEventInput({
    tenant: 'acme',
    action: 'role.granted',
    outcome: 'success',
    reason: 'ticket 42',
    actor: { type: 'user', id: 'u_admin', authMethod: 'sso' },
    targets: [{ type: 'user', id: 'u_1' }, { type: 'role', id: 'admin' }],
    ...extra,
  });
}

/** SHA-256(salt || document) in base64, computed by node:crypto rather than the code under test. */
function independentCommitment(salt: Uint8Array, document: string): string {
  return createHash('sha256').update(salt).update(document, 'utf8').digest('base64');
}

describe('canonicalJson (RFC 8785)', () => {
  test('formats numbers as ECMAScript does (RFC 8785 §3.2.2.3)', () => {
    // Literals that round in IEEE 754 on purpose: the output must be ECMAScript's shortest form of the double.
    // eslint-disable-next-line no-loss-of-precision
    const numbers = [333333333.33333329, 1e30, 4.5, 2e-3, 0.000000000000000000000000001, -0, 1e21, 1e-7, 100, 9007199254740993];
    expect(text(canonicalJson(numbers))).toBe('[333333333.3333333,1e+30,4.5,0.002,1e-27,0,1e+21,1e-7,100,9007199254740992]');
  });

  test('escapes only what JSON requires (RFC 8785 §3.2.2.2)', () => {
    const value = { string: '€$\u000f\nA\'B"\\\\"/', literals: [null, true, false] };
    expect(text(canonicalJson(value))).toBe('{"literals":[null,true,false],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
    expect(text(canonicalJson('\u007f\u2028😀'))).toBe('"\u007f\u2028😀"');
  });

  test('sorts keys by UTF-16 code units (RFC 8785 §3.2.3)', () => {
    const value = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' };
    expect(text(canonicalJson(value))).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });
});

describe('prepareEvent', () => {
  test('the leaf is the canonical envelope, byte for byte', () => {
    const input = roleGranted({ metadata: { ticket: 42 } });
    const prepared = prepareEvent(input, TIME, ID, SALT);
    const detail = independentCommitment(SALT, '{"metadata":{"ticket":42}}');
    expect(text(prepared.leaf)).toBe(
      `{"action":"role.granted","actor":{"authMethod":"sso","id":"u_admin","type":"user"},"detail":"${detail}",` +
        `"id":"${ID}","outcome":"success","reason":"ticket 42",` +
        `"targets":[{"id":"u_1","type":"user"},{"id":"admin","type":"role"}],"tenant":"acme","time":"${TIME}","v":1}`,
    );
    expect(prepared.envelope.detail).toBe(detail);
    expect(prepared).toMatchObject({ id: ID, tenant: 'acme', stream: 'identity-acme.user.u_1' });
    expect(prepared.detail?.document).toEqual({ metadata: { ticket: 42 } });
  });

  test('non-ASCII text goes into the leaf as UTF-8, not as escapes', () => {
    const input = roleGranted({ reason: 'Zoë said "ok" \\ 😀', targets: [{ type: 'user', id: 'zoë' }, { type: 'role', id: 'ädmin' }] });
    const leaf = text(prepareEvent(input, TIME, ID, SALT).leaf);
    expect(leaf).toContain('"reason":"Zoë said \\"ok\\" \\\\ 😀"');
    expect(leaf).toContain('{"id":"zoë","type":"user"}');
    expect(leaf).not.toContain('\\u');
  });

  test('without context, changes, metadata or occurredAt there is no detail', () => {
    const prepared = prepareEvent(roleGranted(), TIME, ID, SALT);
    expect(prepared.detail).toBeUndefined();
    expect(prepared.envelope).not.toHaveProperty('detail');
    expect(text(prepared.leaf)).not.toContain('"detail"');
  });

  test('omits optional envelope fields that are absent', () => {
    const input = parseIdentityEventInput({ tenant: 'acme', action: 'audit_log.read', outcome: 'success', actor: { type: 'system', id: 'cron' } });
    expect(text(prepareEvent(input, TIME, ID).leaf)).toBe(
      `{"action":"audit_log.read","actor":{"id":"cron","type":"system"},"id":"${ID}","outcome":"success","targets":[],"tenant":"acme","time":"${TIME}","v":1}`,
    );
  });

  test('the detail commitment recomputes from salt and detail; occurredAt goes into the detail', () => {
    const input = roleGranted({
      occurredAt: '2026-11-22T10:30:00+01:00',
      context: { ip: '203.0.113.7', requestId: 'r1' },
      changes: { after: { roles: ['admin'], note: 'é' } },
      metadata: { n: [1.0, 1e21, 0.5] },
    });
    const prepared = prepareEvent(input, TIME, ID);
    const { salt, document } = prepared.detail!;
    expect(salt).toHaveLength(16);
    expect(Object.keys(document).sort()).toEqual(['changes', 'context', 'metadata', 'occurredAt']);
    const canonical =
      '{"changes":{"after":{"note":"é","roles":["admin"]}},"context":{"ip":"203.0.113.7","requestId":"r1"},' +
      '"metadata":{"n":[1,1e+21,0.5]},"occurredAt":"2026-11-22T10:30:00+01:00"}';
    expect(text(canonicalJson(document))).toBe(canonical);
    expect(prepared.envelope.detail).toBe(independentCommitment(salt, canonical));
    expect(detailCommitment(salt, document)).toBe(prepared.envelope.detail);
  });

  test('salts are random, so equal details get different commitments', () => {
    const input = roleGranted({ metadata: { ticket: 42 } });
    expect(prepareEvent(input, TIME, ID).envelope.detail).not.toBe(prepareEvent(input, TIME, ID).envelope.detail);
  });

  test('is stable: equal inputs in any key order give equal leaves', () => {
    const a = roleGranted({ metadata: { a: 1, b: { c: [1, 2], d: 'x' } } });
    const b = parseIdentityEventInput({
      metadata: { b: { d: 'x', c: [1, 2] }, a: 1 },
      targets: [{ id: 'u_1', type: 'user' }, { id: 'admin', type: 'role' }],
      actor: { authMethod: 'sso', id: 'u_admin', type: 'user' },
      reason: 'ticket 42',
      outcome: 'success',
      action: 'role.granted',
      tenant: 'acme',
    });
    expect(prepareEvent(b, TIME, ID, SALT).leaf).toEqual(prepareEvent(a, TIME, ID, SALT).leaf);
  });

  test('isRetryOf: the same input again, in any spelling, at another moment; nothing else', () => {
    const input = roleGranted({ id: ID, metadata: { ticket: 42 } });
    const stored = prepareEvent(input, TIME, ID, SALT);
    const respelled = parseIdentityEventInput({ ...JSON.parse(JSON.stringify(input)), id: ID.toUpperCase(), metadata: { ticket: 42.0 } });
    expect(isRetryOf(respelled, stored.leaf, SALT)).toBe(true);
    for (const other of [
      roleGranted({ id: ID, metadata: { ticket: 43 } }),
      roleGranted({ id: ID, metadata: { ticket: '42' } }),
      roleGranted({ id: ID }),
      roleGranted({ id: ID, metadata: { ticket: 42 }, reason: 'ticket 43' }),
      roleGranted({ id: ID, metadata: { ticket: 42 }, outcome: 'failure' }),
    ]) {
      expect(isRetryOf(other, stored.leaf, SALT)).toBe(false);
    }
    // The salt is what opens the detail: with another salt the same detail does not match.
    expect(isRetryOf(input, stored.leaf, new Uint8Array(16))).toBe(false);
    // Absent targets and [] are the same event.
    const bare = { id: ID, tenant: 'acme', action: 'audit_log.read', outcome: 'success', actor: { type: 'system', id: 'cron' } };
    const bareLeaf = prepareEvent(parseIdentityEventInput(bare), TIME, ID).leaf;
    expect(isRetryOf(parseIdentityEventInput({ ...bare, targets: [] }), bareLeaf, undefined)).toBe(true);
  });

  test('refuses a leaf over 65,535 bytes, and takes one of exactly 65,535', () => {
    // The schema's limits keep leaves far smaller, so this builds an input past them.
    const withReason = (length: number): IdentityEventInput => ({ ...roleGranted(), reason: 'r'.repeat(length) });
    const base = prepareEvent(withReason(0), TIME, ID).leaf.length;
    expect(prepareEvent(withReason(MAX_LEAF_BYTES - base), TIME, ID).leaf).toHaveLength(65_535);
    const tooLarge = () => prepareEvent(withReason(MAX_LEAF_BYTES - base + 1), TIME, ID);
    expect(tooLarge).toThrow(LeafTooLargeError);
    expect(tooLarge).toThrow(expect.objectContaining({ bytes: 65_536 }));
  });

  test('refuses a server time, id or salt of the wrong shape', () => {
    expect(() => prepareEvent(roleGranted(), '2026-11-22T09:30:00.123Z', ID)).toThrow(TypeError);
    expect(() => prepareEvent(roleGranted(), TIME, ID.toUpperCase())).toThrow(TypeError);
    expect(() => prepareEvent({ ...roleGranted(), id: ID }, TIME, '0190f1c4-7b7e-7c4a-9e2f-000000000000')).toThrow(TypeError);
    expect(() => prepareEvent(roleGranted(), TIME, ID, new Uint8Array(8))).toThrow(TypeError);
  });
});

describe('parseEnvelope', () => {
  test('reads a leaf back', () => {
    const prepared = prepareEvent(roleGranted({ metadata: { x: 1 } }), TIME, ID, SALT);
    expect(parseEnvelope(prepared.leaf)).toEqual(prepared.envelope);
  });

  test('refuses a leaf that is not canonical or not an envelope', () => {
    const prepared = prepareEvent(roleGranted(), TIME, ID, SALT);
    const respelled = new TextEncoder().encode(JSON.stringify(prepared.envelope, null, 1));
    expect(() => parseEnvelope(respelled)).toThrow(new StoredEventFormatError('leaf is not in RFC 8785 canonical form'));
    expect(() => parseEnvelope(new TextEncoder().encode('{"v":2}'))).toThrow(StoredEventFormatError);
    expect(() => parseEnvelope(Uint8Array.of(0xff))).toThrow(StoredEventFormatError);
  });
});

describe('streams', () => {
  test('one per tenant and subject, in the identity category', () => {
    expect(streamFor('acme', { type: 'user', id: 'u_1' })).toBe('identity-acme.user.u_1');
    const actorOnly = parseIdentityEventInput({ tenant: 'acme', action: 'audit_log.read', outcome: 'success', actor: { type: 'service', id: 'billing' } });
    expect(prepareEvent(actorOnly, TIME, ID).stream).toBe('identity-acme.service.billing');
  });

  test('escapes dots so parts cannot run together, and tenant prefixes do not overlap', () => {
    expect(streamFor('a.b', { type: 'c', id: 'd' })).not.toBe(streamFor('a', { type: 'b.c', id: 'd' }));
    expect(streamFor('acme', { type: 'user', id: 'john.doe%40' })).toBe('identity-acme.user.john%2Edoe%2540');
    expect(streamFor('acme.eu', { type: 'user', id: 'u' }).startsWith(tenantStreamPrefix('acme'))).toBe(false);
    expect(streamFor('acme.eu', { type: 'user', id: 'u' }).startsWith(tenantStreamPrefix('acme.eu'))).toBe(true);
  });
});
