import type { DiscoveredRoute } from './route-explorer.js';
import { OPERATIONS, type OperationDoc } from './operations.js';
import { componentSchemas, type JsonSchema } from './schemas.js';

export type OpenApiDocument = Record<string, unknown> & {
  openapi: string;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, JsonSchema>; responses: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  parameters: { name: string; in: string; required: boolean; description?: string; schema: JsonSchema }[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
  security: Record<string, string[]>[];
  'x-roles'?: string[];
  'x-undocumented'?: true;
}

const ERRORS: Record<number, string> = {
  400: 'the request is invalid: the error names the field or parameter',
  401: 'no bearer token, or an unknown one',
  403: "the token lacks the role, or the event's tenant is not one of the token's",
  404: 'not found (or not visible to this token)',
  409: 'an event with this id and other content is already recorded',
  413: 'too large: a leaf above 65,535 bytes, or a batch above 1,000 events',
  415: 'the body is not JSON (Content-Type: application/json)',
  500: 'internal error: the request id (x-request-id) finds it in the logs',
  503: 'not ready, or the store is unavailable',
};

const ref = (kind: 'schemas' | 'responses', name: string) => ({ $ref: `#/components/${kind}/${name}` });

/** The OpenAPI 3.1 document of the routes the application serves (route-explorer.ts) and the operations table. */
export function buildOpenApiDocument(routes: readonly DiscoveredRoute[]): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  const usedIds = new Set<string>();
  const sorted = [...routes].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
  for (const route of sorted) {
    let operationId = `${route.controller.replace(/Controller$/, '')}_${route.handler}`;
    for (let n = 2; usedIds.has(operationId); n++) operationId = `${route.controller.replace(/Controller$/, '')}_${route.handler}_${n}`;
    usedIds.add(operationId);
    (paths[route.path] ??= {})[route.method] = operation(route, operationId, OPERATIONS[route.key]);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Trailmark ledger',
      version: '1',
      summary: 'Tamper-evident audit ledger for identity events',
      description:
        'Records identity events once, in order, builds an RFC 6962 Merkle tree over them and publishes C2SP signed ' +
        'checkpoints. Errors are {"error":{"code","message","details"}}. Every response carries x-request-id (the ' +
        "request's own if it sent a sane one).",
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    tags: [
      { name: 'events', description: 'record and read identity events' },
      { name: 'log', description: 'what anyone may fetch to check the log: checkpoints, the key, proofs' },
      { name: 'proofs', description: 'inclusion and consistency proofs' },
      { name: 'operations', description: 'health, metrics and this documentation' },
      { name: 'streams', description: "a tenant's log streams to SIEMs, syslog, NATS and webhooks" },
      { name: 'console', description: 'viewer tokens for the web console at /console' },
    ],
    paths,
    components: {
      schemas: componentSchemas(),
      responses: Object.fromEntries(
        Object.entries(ERRORS).map(([status, description]) => [
          `Error${status}`,
          { description, content: { 'application/json': { schema: ref('schemas', 'Error') } } },
        ]),
      ),
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'Authorization: Bearer <token>. Tokens carry roles (ingest, reader, auditor, admin) scoped to tenants.',
        },
      },
    },
  };
}

function operation(route: DiscoveredRoute, operationId: string, doc: OperationDoc | undefined): OpenApiOperation {
  const credentialed = route.roles !== undefined;
  const roles = route.roles ? [...new Set([...route.roles, 'admin'])] : undefined;
  const result: OpenApiOperation = {
    operationId,
    summary: doc?.summary ?? `${route.controller}.${route.handler}`,
    ...(doc?.description !== undefined || roles ? { description: [doc?.description, roles && `Roles: ${roles.join(', ')}.`].filter(Boolean).join('\n\n') } : {}),
    tags: [...(doc?.tags ?? [route.controller.replace(/Controller$/, '').toLowerCase()])],
    parameters: [...route.parameters, ...tableOnlyParameters(route, doc)].map((parameter) => {
      const given = doc?.parameters?.[parameter.name];
      const described = typeof given === 'string' ? { description: given } : given;
      return {
        name: parameter.name,
        in: parameter.in,
        required: parameter.in === 'path' || described?.required === true,
        ...(described?.description !== undefined ? { description: described.description } : {}),
        schema: described?.schema ?? { type: 'string' },
      };
    }),
    responses: {},
    security: credentialed ? [{ bearer: [] }] : [],
  };
  if (route.body) {
    result.requestBody = {
      required: true,
      content: { 'application/json': { schema: doc?.body !== undefined ? ref('schemas', doc.body) : { type: 'object' } } },
    };
  }
  for (const [status, response] of Object.entries(doc?.responses ?? { '200': { description: 'OK' } })) {
    result.responses[status] = {
      description: response.description,
      ...(response.content
        ? {
            content: Object.fromEntries(
              Object.entries(response.content).map(([mediaType, schema]) => [
                mediaType,
                { schema: schema === 'text' ? { type: mediaType.startsWith('application/json') ? 'object' : 'string' } : ref('schemas', schema) },
              ]),
            ),
          }
        : {}),
    };
  }
  const errors = new Set([...(doc?.errors ?? []), ...(credentialed ? [401, 403] : []), ...(route.body ? [400, 413, 415] : []), 500]);
  for (const status of [...errors].sort((a, b) => a - b)) result.responses[String(status)] = ref('responses', `Error${status}`);
  if (roles) result['x-roles'] = roles;
  if (!doc) result['x-undocumented'] = true;
  return result;
}

/** Query parameters a handler reads as one object (@Query() query): named only in the table. */
function tableOnlyParameters(route: DiscoveredRoute, doc: OperationDoc | undefined): DiscoveredRoute['parameters'] {
  const known = new Set(route.parameters.map((parameter) => parameter.name));
  return Object.keys(doc?.parameters ?? {})
    .filter((name) => !known.has(name) && route.readsWholeQuery)
    .map((name) => ({ in: 'query' as const, name }));
}
