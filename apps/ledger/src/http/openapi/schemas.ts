import { IdentityEventInputSchema, isReservedAction } from '@trailmark/domain';
import { MAX_BATCH_EVENTS } from '../events.controller.js';

export type JsonSchema = Record<string, unknown>;

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
const base64 = (description: string): JsonSchema => ({ type: 'string', contentEncoding: 'base64', description });
const count = (description: string): JsonSchema => ({ type: 'integer', minimum: 0, description });
const hashes: JsonSchema = { type: 'array', items: base64('a SHA-256 node hash'), description: 'RFC 9162 proof path, base64 hashes' };

/**
 * The request body of POST /v1/events, generated from the zod schema the service validates with
 * (libs/domain schema.ts). JSON Schema cannot say everything the service checks: strings must
 * also be free of control characters and unpaired surrogates, free-form objects nest at most 32
 * levels, targets must match what the action expects, and secret-named fields are refused.
 */
export function identityEventInputSchema(): JsonSchema {
  const { $schema: _dialect, ...schema } = IdentityEventInputSchema.toJSONSchema({
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  // Clients may not send the reserved actions the service records itself (vocabulary.ts).
  const action = (schema.properties as Record<string, { enum?: string[] }>).action!;
  action.enum = action.enum!.filter((name) => !isReservedAction(name));
  return {
    ...schema,
    description:
      'An identity event as a client sends it. Beyond this schema the service refuses control characters and unpaired ' +
      'surrogates in strings, free-form values nested deeper than 32 levels, targets the action does not expect, ' +
      'and any field named like a secret (password, token, apiKey, ...) at any depth.',
  };
}

/** components.schemas: request bodies, receipts, proofs and the error shape. */
export function componentSchemas(): Record<string, JsonSchema> {
  const receipt: JsonSchema = {
    type: 'object',
    required: ['id', 'leafIndex', 'time'],
    properties: {
      id: { type: 'string', format: 'uuid', description: 'the event id (the one sent, or made by the service)' },
      leafIndex: count('the leaf of the event in the Merkle tree'),
      time: { type: 'string', format: 'date-time', description: 'server time, RFC 3339 UTC with microseconds' },
    },
  };
  return {
    IdentityEventInput: identityEventInputSchema(),
    IdentityEventBatch: {
      type: 'object',
      required: ['events'],
      additionalProperties: false,
      properties: { events: { type: 'array', minItems: 1, maxItems: MAX_BATCH_EVENTS, items: ref('IdentityEventInput') } },
      description: `1 to ${MAX_BATCH_EVENTS} events, recorded all or nothing`,
    },
    Receipt: receipt,
    ReceiptWithProof: {
      allOf: [
        ref('Receipt'),
        {
          type: 'object',
          required: ['treeSize', 'proof', 'checkpoint'],
          properties: {
            treeSize: count('size of the checkpoint the proof is for'),
            proof: hashes,
            checkpoint: { type: 'string', description: 'the C2SP signed checkpoint note' },
          },
        },
      ],
      description: 'with ?wait=checkpoint: the receipt, its inclusion proof and the checkpoint that covers it',
    },
    RecordedReceipt: { anyOf: [ref('Receipt'), ref('ReceiptWithProof')], description: 'a receipt; with ?wait=checkpoint, with its proof' },
    BatchReceipts: {
      type: 'object',
      required: ['events'],
      properties: { events: { type: 'array', items: ref('RecordedReceipt') } },
    },
    StoredEvent: {
      type: 'object',
      required: ['id', 'leafIndex', 'leaf', 'event', 'detail'],
      properties: {
        id: { type: 'string', format: 'uuid' },
        leafIndex: count('the leaf of the event'),
        leaf: base64('the leaf bytes: RFC 8785 canonical JSON of the envelope'),
        event: { type: 'object', description: 'the envelope (DESIGN.md "Leaf bytes")' },
        detail: { type: ['object', 'null'], description: 'context, changes, metadata and occurredAt; null when none or erased' },
        salt: { type: ['string', 'null'], contentEncoding: 'base64', description: 'opens the detail commitment: event.detail = base64(SHA-256(salt || JCS(detail)))' },
      },
    },
    SearchPage: {
      type: 'object',
      required: ['events', 'next'],
      properties: {
        events: {
          type: 'array',
          items: {
            type: 'object',
            required: ['leafIndex', 'event'],
            properties: { leafIndex: count('the leaf of the event'), event: { type: 'object', description: 'the envelope' } },
          },
        },
        next: { type: ['integer', 'null'], minimum: 0, description: 'the cursor of the next page; null when this page is not full' },
      },
    },
    ViewerTokenRequest: {
      type: 'object',
      additionalProperties: false,
      properties: { ttlSeconds: { type: 'integer', minimum: 60, maximum: 3600, description: 'how long the token lives (900)' } },
    },
    ViewerToken: {
      type: 'object',
      required: ['token', 'tokenId', 'tenant', 'roles', 'expiresAt'],
      properties: {
        token: { type: 'string', description: 'the bearer token (tmv_...): shown once, kept only as a hash by the service' },
        tokenId: { type: 'string', description: 'names the token in the log event that records its minting' },
        tenant: { type: 'string' },
        roles: { type: 'array', items: { type: 'string' } },
        expiresAt: { type: 'string', format: 'date-time' },
      },
    },
    AccessReview: {
      type: 'object',
      required: ['tenant', 'at', 'holdings'],
      properties: {
        tenant: { type: 'string' },
        at: { type: 'string', format: 'date-time', description: 'the instant reviewed, as envelopes spell time' },
        holdings: {
          type: 'array',
          items: {
            type: 'object',
            required: ['subject', 'role', 'since', 'granted'],
            properties: {
              subject: { type: 'object', required: ['type', 'id'], properties: { type: { type: 'string' }, id: { type: 'string' } } },
              role: { type: 'string' },
              since: { type: 'string', format: 'date-time', description: 'server time of the grant' },
              granted: {
                type: 'object',
                required: ['id', 'leafIndex'],
                properties: { id: { type: 'string', format: 'uuid' }, leafIndex: count('the leaf of the grant') },
              },
            },
          },
        },
      },
    },
    EventProof: {
      type: 'object',
      required: ['leafIndex', 'treeSize', 'leaf', 'leafHash', 'proof', 'checkpoint'],
      properties: {
        leafIndex: count('the leaf of the event'),
        treeSize: count('size of the checkpoint'),
        leaf: base64('the leaf bytes'),
        leafHash: base64('SHA-256(0x00 || leaf)'),
        proof: hashes,
        checkpoint: { type: 'string', description: 'the C2SP signed checkpoint note' },
      },
    },
    ConsistencyProof: {
      type: 'object',
      required: ['from', 'to', 'proof'],
      properties: { from: count('the older tree size'), to: count('the newer tree size'), proof: hashes },
    },
    InclusionProof: {
      type: 'object',
      required: ['index', 'treeSize', 'leafHash', 'proof'],
      properties: { index: count('the leaf index'), treeSize: count('the tree size'), leafHash: base64('the leaf hash'), proof: hashes },
    },
    Error: {
      type: 'object',
      required: ['error'],
      properties: {
        error: {
          type: 'object',
          required: ['code', 'message', 'details'],
          properties: {
            code: { type: 'string', description: 'machine-readable: invalid_event, secret_field, unauthorized, not_found, ...' },
            message: { type: 'string', description: 'for a person: names the field or parameter at fault' },
            details: { type: 'object', description: 'e.g. {"field": "actor.id"}, {"parameter": "treeSize"}' },
          },
        },
      },
    },
  };
}
