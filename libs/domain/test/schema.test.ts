import { z } from 'zod';
import { IdentityEventInputSchema, InvalidEventError, MAX_FREE_FORM_DEPTH, parseIdentityEventInput } from '@trailmark/domain';

/** DESIGN.md's request body, filled in. */
function designExample(): Record<string, unknown> {
  return {
    id: '0190f1c4-7b7e-7c4a-9e2f-3b1d5c6a7e8f',
    tenant: 'acme',
    action: 'user.login',
    outcome: 'failure',
    reason: 'wrong_password',
    actor: { type: 'user', id: 'u_123', authMethod: 'password' },
    targets: [{ type: 'user', id: 'u_123' }],
    occurredAt: '2026-11-22T09:30:00.123+01:00',
    context: {
      ip: '203.0.113.7',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
      requestId: 'req_1',
      sessionId: 'sess_1',
      correlationId: 'corr_1',
      geo: { country: 'FR', region: 'IDF', city: 'Paris' },
    },
    changes: { before: { email: 'a@example.com' }, after: { email: 'b@example.com' } },
    metadata: { attempt: 3, mfa: { required: false }, tags: ['web', null] },
  };
}

/** The example with `path` set to `value` (undefined deletes it). */
function withField(path: (string | number)[], value: unknown): Record<string, unknown> {
  const body = designExample();
  let node = body as Record<string | number, unknown>;
  for (const segment of path.slice(0, -1)) node = node[segment] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return body;
}

function refusal(body: unknown, prefix = ''): InvalidEventError {
  try {
    parseIdentityEventInput(body, prefix);
  } catch (error) {
    if (error instanceof InvalidEventError) return error;
    throw error;
  }
  throw new Error('expected the body to be refused');
}

describe('parseIdentityEventInput', () => {
  test('accepts the DESIGN.md example and returns it unchanged', () => {
    expect(parseIdentityEventInput(designExample())).toEqual(designExample());
  });

  test('accepts a minimal body; targets default to []', () => {
    const input = parseIdentityEventInput({ tenant: 'acme', action: 'audit_log.read', outcome: 'success', actor: { type: 'system', id: 'cron' } });
    expect(input.targets).toEqual([]);
    expect(input.id).toBeUndefined();
  });

  test('spells a client id in lowercase', () => {
    expect(parseIdentityEventInput(withField(['id'], '0190F1C4-7B7E-7C4A-9E2F-3B1D5C6A7E8F')).id).toBe('0190f1c4-7b7e-7c4a-9e2f-3b1d5c6a7e8f');
  });

  test('accepts IPv6 addresses and offsets other than Z', () => {
    expect(() => parseIdentityEventInput(withField(['context', 'ip'], '2001:db8::1'))).not.toThrow();
    expect(() => parseIdentityEventInput(withField(['occurredAt'], '2026-11-22T09:30:00Z'))).not.toThrow();
  });

  test.each([
    ['missing tenant', ['tenant'], undefined, 'tenant', 'tenant is required'],
    ['missing actor.id', ['actor', 'id'], undefined, 'actor.id', 'actor.id is required'],
    ['actor.id of the wrong type', ['actor', 'id'], 42, 'actor.id', 'actor.id must be a string, not a number'],
    ['actor that is not an object', ['actor'], 'u_1', 'actor', 'actor must be an object, not a string'],
    ['targets that is not an array', ['targets'], {}, 'targets', 'targets must be an array, not an object'],
    ['empty actor.id', ['actor', 'id'], '', 'actor.id', 'actor.id must not be empty'],
    ['over-long actor.id', ['actor', 'id'], 'u'.repeat(257), 'actor.id', 'actor.id must be at most 256 characters'],
    ['over-long reason', ['reason'], 'r'.repeat(257), 'reason', 'reason must be at most 256 characters'],
    ['over-long authMethod', ['actor', 'authMethod'], 'm'.repeat(65), 'actor.authMethod', 'actor.authMethod must be at most 64 characters'],
    ['over-long tenant', ['tenant'], 'a'.repeat(65), 'tenant', 'tenant must be at most 64 characters'],
    ['over-long userAgent', ['context', 'userAgent'], 'x'.repeat(1025), 'context.userAgent', 'context.userAgent must be at most 1024 characters'],
    ['over-long requestId', ['context', 'requestId'], 'x'.repeat(129), 'context.requestId', 'context.requestId must be at most 128 characters'],
    ['tenant in capitals', ['tenant'], 'Acme', 'tenant', expect.stringContaining('tenant must start with a lowercase letter or digit')],
    ['tenant starting with a dot', ['tenant'], '.acme', 'tenant', expect.stringContaining('tenant must start')],
    ['unknown action', ['action'], 'user.exploded', 'action', 'action must be an action of the vocabulary, e.g. "user.login"'],
    ['unknown outcome', ['outcome'], 'maybe', 'outcome', 'outcome must be one of "success", "failure", "error"'],
    ['unknown actor type', ['actor', 'type'], 'robot', 'actor.type', 'actor.type must be one of "user", "service", "api_key", "system"'],
    ['bad uuid', ['id'], 'not-a-uuid', 'id', expect.stringContaining('id must be a UUID')],
    ['bad ip', ['context', 'ip'], '203.0.113', 'context.ip', 'context.ip must be an IPv4 or IPv6 address'],
    ['bad country', ['context', 'geo', 'country'], 'France', 'context.geo.country', expect.stringContaining('ISO 3166-1 alpha-2')],
    ['occurredAt without offset', ['occurredAt'], '2026-11-22T09:30:00', 'occurredAt', expect.stringContaining('occurredAt must be an RFC 3339 date-time')],
    ['occurredAt on a day that does not exist', ['occurredAt'], '2026-02-30T09:30:00Z', 'occurredAt', expect.any(String)],
    ['bad target type', ['targets', 0, 'type'], 'User', 'targets[0].type', 'targets[0].type must contain only lowercase letters, digits, "_", "." and "-"'],
    ['control character in actor.id', ['actor', 'id'], 'u_1\nINFO forged line', 'actor.id', 'actor.id must not contain control characters or unpaired surrogates'],
    ['C1 control in reason', ['reason'], 'x\u0085y', 'reason', expect.stringContaining('control characters')],
    ['lone surrogate in target id', ['targets', 0, 'id'], 'u\ud800', 'targets[0].id', expect.stringContaining('unpaired surrogates')],
    ['unknown top-level field', ['severity'], 'high', 'severity', 'severity is not a known field'],
    ['unknown actor field', ['actor', 'email'], 'a@example.com', 'actor.email', 'actor.email is not a known field'],
    ['unknown context field', ['context', 'referer'], 'x', 'context.referer', 'context.referer is not a known field'],
    ['unknown changes field', ['changes', 'during'], {}, 'changes.during', 'changes.during is not a known field'],
    ['metadata that is an array', ['metadata'], [1], 'metadata', 'metadata must be an object, not an array'],
    ['non-finite number in metadata', ['metadata', 'n'], Number.NaN, 'metadata.n', 'metadata.n must be a finite number'],
    ['undefined in metadata', ['metadata', 'u'], () => 1, 'metadata.u', expect.stringContaining('must be a JSON value')],
    ['control character in a metadata value', ['metadata', 'tags', 0], 'a\u0000b', 'metadata.tags[0]', expect.stringContaining('control characters')],
    ['control character in a metadata key', ['metadata', 'a\u001bb'], 1, 'metadata["a\\u001bb"]', expect.stringContaining('has a key that must not contain')],
    ['a class instance in changes', ['changes', 'after', 'when'], new Date(0), 'changes.after.when', expect.stringContaining('must be a JSON value')],
  ])('refuses %s', (_name, path, value, field, message) => {
    const error = refusal(withField(path as (string | number)[], value));
    expect(error.field).toBe(field);
    expect(error.message).toEqual(message);
  });

  test('allows tab, line feed and carriage return in free-form strings only', () => {
    expect(() => parseIdentityEventInput(withField(['metadata', 'note'], 'line 1\r\n\tline 2'))).not.toThrow();
    expect(refusal(withField(['reason'], 'line 1\nline 2')).field).toBe('reason');
  });

  test('refuses more than 10 targets', () => {
    const targets = [{ type: 'user', id: 'u_123' }, ...Array.from({ length: 10 }, (_, i) => ({ type: 'document', id: `d${i}` }))];
    const error = refusal(withField(['targets'], targets));
    expect(error.field).toBe('targets');
    expect(error.message).toBe('targets must be at most 10 items');
    expect(() => parseIdentityEventInput(withField(['targets'], targets.slice(0, 10)))).not.toThrow();
  });

  test('refuses free-form nesting deeper than the limit, without recursing further', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const error = refusal(withField(['metadata'], { deep }));
    expect(error.field).toBe(`metadata.deep${'[0]'.repeat(MAX_FREE_FORM_DEPTH - 2)}`);
    expect(error.message).toContain(`nests deeper than ${MAX_FREE_FORM_DEPTH} levels`);
  });

  test('checks targets against the vocabulary after the schema', () => {
    const body = { ...designExample(), action: 'role.granted', targets: [{ type: 'user', id: 'u_1' }] };
    const error = refusal(body);
    expect(error.field).toBe('targets');
    expect(error.message).toContain('role');
  });

  test('prefixes paths for batch items', () => {
    const error = refusal(withField(['actor', 'id'], 'u'.repeat(257)), 'events[3]');
    expect(error.field).toBe('events[3].actor.id');
    expect(error.message).toBe('events[3].actor.id must be at most 256 characters');
    expect(refusal(withField(['targets', 0, 'id'], ''), 'events[0]').field).toBe('events[0].targets[0].id');
    expect(refusal(withField(['bogus'], 1), 'events[7]').field).toBe('events[7].bogus');
    expect(refusal(withField(['action'], 'role.granted'), 'events[1]').field).toBe('events[1].targets');
  });

  test('reports the first problem in field order', () => {
    const body = withField(['tenant'], 'Bad Tenant');
    (body['actor'] as Record<string, unknown>)['id'] = '';
    body['extra'] = true;
    expect(refusal(body).field).toBe('tenant');
  });

  test('refuses bodies that are not objects', () => {
    expect(refusal(null).message).toBe('the event must be a JSON object, not null');
    expect(refusal([], 'events[0]')).toMatchObject({ field: 'events[0]', message: 'events[0] must be a JSON object, not an array' });
  });

  test('converts to JSON Schema for the OpenAPI document', () => {
    const schema = z.toJSONSchema(IdentityEventInputSchema, { io: 'input' }) as {
      properties: Record<string, { maxItems?: number }>;
      required: string[];
      additionalProperties: boolean;
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required.sort()).toEqual(['action', 'actor', 'outcome', 'tenant']);
    expect(schema.properties['targets']?.maxItems).toBe(10);
  });
});
