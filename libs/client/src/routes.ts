/** Every route the client calls, as the OpenAPI document spells it: a test checks each against `/openapi.json`. */
export const CLIENT_ROUTES = {
  record: { method: 'post', path: '/v1/events' },
  recordBatch: { method: 'post', path: '/v1/events/batch' },
} as const;
