import { encodeBase64 } from '@trailmark/proofs';
import {
  canonicalJson,
  decodeEventMetadata,
  detailCommitment,
  encodeEventMetadata,
  parseIdentityEventInput,
  prepareEvent,
  StoredEventFormatError,
} from '@trailmark/domain';

const ID = '0190f1c4-7b7e-7c4a-9e2f-3b1d5c6a7e8f';
const TIME = '2026-11-22T09:30:00.123456Z';
const SALT = Uint8Array.from({ length: 16 }, (_, i) => 255 - i);
const bytes = (text: string) => new TextEncoder().encode(text);

function login(extra: Record<string, unknown> = {}) {
  return parseIdentityEventInput({
    tenant: 'acme',
    action: 'user.login',
    outcome: 'success',
    actor: { type: 'user', id: 'u_1' },
    targets: [{ type: 'user', id: 'u_1' }],
    ...extra,
  });
}

describe('event metadata', () => {
  test('is exactly the canonical JSON of {detail, salt}, however odd the detail', () => {
    const prepared = prepareEvent(
      login({ metadata: { 'é': 'x\u2028y', b: [1e21, 0.1, -0], a: { z: null, 'ü': true } }, occurredAt: '2026-01-01T00:00:00+02:00' }),
      TIME,
      ID,
      SALT,
    );
    const expected = canonicalJson({ detail: prepared.detail!.document, salt: encodeBase64(SALT) });
    expect(encodeEventMetadata(prepared)).toEqual(expected);
  });

  test('round-trips, and the decoded salt and detail open the envelope commitment', () => {
    const prepared = prepareEvent(login({ context: { ip: '2001:db8::1' }, metadata: { n: 1 } }), TIME, ID, SALT);
    const encoded = encodeEventMetadata(prepared);
    expect(new TextDecoder().decode(encoded)).toBe(
      `{"detail":{"context":{"ip":"2001:db8::1"},"metadata":{"n":1}},"salt":"${encodeBase64(SALT)}"}`,
    );
    const decoded = decodeEventMetadata(encoded);
    expect(decoded).toEqual({ detail: prepared.detail!.document, salt: SALT });
    expect(detailCommitment(decoded.salt!, decoded.detail!)).toBe(prepared.envelope.detail);
  });

  test('an event without detail stores an empty document', () => {
    const prepared = prepareEvent(login(), TIME, ID, SALT);
    const encoded = encodeEventMetadata(prepared);
    expect(new TextDecoder().decode(encoded)).toBe('{}');
    expect(decodeEventMetadata(encoded)).toEqual({});
  });

  const salt = encodeBase64(SALT);
  test.each([
    ['not JSON', '{"detail":'],
    ['not UTF-8', '\uFFFD'],
    ['an unknown field', '{"extra":1}'],
    ['a detail without salt', '{"detail":{}}'],
    ['a salt without detail', `{"salt":"${salt}"}`],
    ['a salt of the wrong size', '{"detail":{},"salt":"AAAA"}'],
    ['a salt that is not base64', '{"detail":{},"salt":"!!!!"}'],
    ['a detail that is not an object', `{"detail":[1],"salt":"${salt}"}`],
    ['a salt that is not a string', '{"detail":{},"salt":16}'],
    ['a document that is not an object', '[]'],
  ])('refuses %s', (_name, text) => {
    const encoded = text === '\uFFFD' ? Uint8Array.of(0xc3, 0x28) : bytes(text);
    expect(() => decodeEventMetadata(encoded)).toThrow(StoredEventFormatError);
  });

  // Validated when recorded; its commitment in the leaf, not the rules of the day, says whether it changed.
  test('reads a stored detail as it is, without validating it again', () => {
    const detail = { extra: 1, context: { ip: 'x' } };
    expect(decodeEventMetadata(bytes(JSON.stringify({ detail, salt })))).toEqual({ detail, salt: SALT });
  });
});
