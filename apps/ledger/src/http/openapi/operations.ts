import { STREAM_OPERATIONS } from './stream-operations.js';

/**
 * What the OpenAPI document says about each operation, keyed by "Controller.method". Paths, methods,
 * named parameters and who may call come from the code (route-explorer.ts); this table adds the
 * words. A route missing here still appears in the document, flagged `x-undocumented`, and the
 * end-to-end test fails until it has its entry.
 */
export interface OperationDoc {
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  /** Descriptions of the parameters the route reads, by name; `required` ones are marked so. */
  readonly parameters?: Readonly<Record<string, string | { description: string; required?: boolean; schema?: Record<string, unknown> }>>;
  /** The component schema of the request body. */
  readonly body?: string;
  /** Success responses by status: a description and, by media type, a component schema name (or "text"). */
  readonly responses: Readonly<Record<string, { description: string; content?: Readonly<Record<string, string>> }>>;
  /** Error statuses this operation answers beyond 401/403 (added for every credentialed route) and 500. */
  readonly errors?: readonly number[];
}

const JSON_TYPE = 'application/json';
const TEXT = 'text/plain; charset=utf-8';
const count = { type: 'string', pattern: '^(0|[1-9][0-9]{0,15})$' };

type Parameters = NonNullable<OperationDoc['parameters']>;

/** The event filters that search and export share, and the operation's own parameters. */
function FILTERS_AND(own: Parameters): Parameters {
  return {
    tenant: 'the tenant; required unless the token may read every tenant',
    actor: 'the actor: its id, or type:id',
    action: 'an action ("user.login") or a prefix ending in ".*" ("user.mfa.*")',
    target: 'a target: its id, or type:id',
    outcome: { description: 'success, failure or error', schema: { type: 'string', enum: ['success', 'failure', 'error'] } },
    from: { description: 'server time, inclusive, RFC 3339 UTC', schema: { type: 'string', format: 'date-time' } },
    to: { description: 'server time, inclusive, RFC 3339 UTC', schema: { type: 'string', format: 'date-time' } },
    requestId: "the detail's context.requestId",
    correlationId: "the detail's context.correlationId",
    text: 'words in the reason, any case',
    ...own,
  };
}

export const OPERATIONS: Readonly<Record<string, OperationDoc>> = {
  ...STREAM_OPERATIONS,
  'EventsController.record': {
    summary: 'Record one identity event',
    description:
      'Validates the event, stamps the server time and appends it to the log. The same id with the same content again ' +
      'answers 200 with the first receipt; the same id with other content is a 409.',
    tags: ['events'],
    parameters: { wait: { description: '"checkpoint": answer once a signed checkpoint covers the event, with its proof', schema: { type: 'string', enum: ['checkpoint'] } } },
    body: 'IdentityEventInput',
    responses: {
      '201': { description: 'recorded', content: { [JSON_TYPE]: 'RecordedReceipt' } },
      '200': { description: 'already recorded with this id and content: the first receipt', content: { [JSON_TYPE]: 'RecordedReceipt' } },
    },
    errors: [400, 409, 413, 503],
  },
  'EventsController.recordBatch': {
    summary: 'Record a batch of identity events, all or nothing',
    description: 'Up to 1,000 events in one durable write; every event is validated before any is recorded.',
    tags: ['events'],
    parameters: { wait: { description: '"checkpoint": answer once a signed checkpoint covers every event, with proofs', schema: { type: 'string', enum: ['checkpoint'] } } },
    body: 'IdentityEventBatch',
    responses: {
      '201': { description: 'recorded (at least one event was new)', content: { [JSON_TYPE]: 'BatchReceipts' } },
      '200': { description: 'every event was already recorded with the same content', content: { [JSON_TYPE]: 'BatchReceipts' } },
    },
    errors: [400, 409, 413, 503],
  },
  'SearchController.search': {
    summary: "Search a tenant's events",
    description:
      'By leaf index, oldest first unless `sort=desc`, from the search read model; only events already in the tree. A ' +
      'page holds at most `limit` events; pass its `next` as `cursor` for the next one (`next` is null when the page ' +
      'is not full). The `Link` header (rel="next") names the next page; ascending, it is there on every page, so a ' +
      'poller following it catches up and then gets empty pages until new events arrive. The search is recorded in ' +
      'the log as `audit_log.read`; those records (`audit_log.*`) are left out unless `reads=include` or `action` ' +
      'names that family, so a poller does not chase the records of its own polls.',
    tags: ['events'],
    parameters: FILTERS_AND({
      cursor: { description: 'the leaf index to continue after (the previous page\'s `next`)', schema: count },
      limit: { description: 'events per page, 1 to 1000 (100)', schema: { type: 'string', pattern: '^[0-9]{1,4}$' } },
      sort: { description: 'by leaf index: asc (default, oldest first) or desc', schema: { type: 'string', enum: ['asc', 'desc'] } },
      reads: {
        description: 'include: the records of reads and exports (`audit_log.*`) too; default exclude, unless `action` names them',
        schema: { type: 'string', enum: ['include', 'exclude'] },
      },
    }),
    responses: { '200': { description: 'a page of events', content: { [JSON_TYPE]: 'SearchPage' } } },
    errors: [400],
  },
  'ExportController.export': {
    summary: 'Export events, streamed, consistent with a signed checkpoint',
    description:
      'Every event the filters match, oldest first, up to the latest signed checkpoint when the export began; the ' +
      'export ends with that checkpoint. `ndjson`: `{leafIndex, event}` lines; `csv`: one row an event; `ocsf`: OCSF ' +
      '1.8.0 events, a line each; `evidence`: a trailmark-evidence/1 bundle (leaves and inclusion proofs) that ' +
      '`trailmark-verify bundle` checks offline. Recorded in the log as `audit_log.exported`.',
    tags: ['events'],
    parameters: FILTERS_AND({
      format: { description: 'ndjson (default), csv, ocsf or evidence', schema: { type: 'string', enum: ['ndjson', 'csv', 'ocsf', 'evidence'] } },
    }),
    responses: {
      '200': {
        description: 'the export, streamed',
        content: { 'application/x-ndjson': 'text', 'text/csv; charset=utf-8': 'text' },
      },
    },
    errors: [400, 503],
  },
  'AccessController.access': {
    summary: 'Who held which role at an instant (access review)',
    description:
      'From the successful role.granted and role.revoked events in the tree, replayed up to `at`: each holding with the ' +
      'id and leaf index of the grant that began it, whose inclusion proof proves it. Recorded as `audit_log.read`.',
    tags: ['events'],
    parameters: {
      tenant: 'the tenant',
      at: { description: 'the instant, RFC 3339 UTC', required: true, schema: { type: 'string', format: 'date-time' } },
      role: 'only this role',
    },
    responses: { '200': { description: 'the holdings', content: { [JSON_TYPE]: 'AccessReview' } } },
    errors: [400],
  },
  'ViewerTokensController.mint': {
    summary: 'Mint a read-only viewer token for one tenant',
    description:
      'For the console (/console) and the embeddable viewer: a token with the reader and auditor roles for this tenant ' +
      'only, valid 15 minutes unless `ttlSeconds` says otherwise (60 to 3600). Tokens live in memory and end with a ' +
      'restart. The minting is recorded in the tenant\'s log as `audit_log.viewer_token.issued`, naming the token by id.',
    tags: ['console'],
    parameters: { tenant: 'the tenant the token reads' },
    body: 'ViewerTokenRequest',
    responses: { '201': { description: 'the token', content: { [JSON_TYPE]: 'ViewerToken' } } },
    errors: [400],
  },
  'EventsController.get': {
    summary: 'Read a stored event',
    description: 'The envelope, its leaf index, the leaf bytes and the detail. Events of tenants the token may not read are 404s.',
    tags: ['events'],
    parameters: { id: 'the event id (UUID)' },
    responses: { '200': { description: 'the event', content: { [JSON_TYPE]: 'StoredEvent' } } },
    errors: [404],
  },
  'EventsController.proof': {
    summary: 'Inclusion proof of an event',
    description:
      'The leaf, its inclusion path and the signed checkpoint it leads to; waits for the first checkpoint covering the ' +
      'event unless treeSize names one. With Accept: text/x.tlog-proof, the C2SP tlog-proof instead.',
    tags: ['events', 'proofs'],
    parameters: {
      id: 'the event id (UUID)',
      treeSize: { description: 'prove against the signed checkpoint of this size', schema: count },
      accept: '"text/x.tlog-proof" for a C2SP tlog-proof (c2sp.org/tlog-proof@v1)',
    },
    responses: {
      '200': {
        description: 'the proof',
        content: { [JSON_TYPE]: 'EventProof', 'text/x.tlog-proof; charset=utf-8': 'text' },
      },
    },
    errors: [400, 404],
  },
  'TransparencyLogController.checkpoint': {
    summary: 'The latest signed checkpoint',
    description:
      'A C2SP tlog-checkpoint as a signed note (origin, size, root hash, signature lines). With a witness policy: the ' +
      'latest checkpoint whose cosignature/v1 lines meet its quorum, and the header `trailmark-witnessed` (`false` only ' +
      'when served unwitnessed while the witnesses are down, TRAILMARK_SERVE_UNWITNESSED).',
    tags: ['log'],
    responses: { '200': { description: 'the signed note', content: { [TEXT]: 'text' } } },
    errors: [503],
  },
  'TransparencyLogController.key': {
    summary: "The log's verifier key",
    description: 'The Go note verifier key string <name>+<key id>+<base64 key> that checks the checkpoints.',
    tags: ['log'],
    responses: { '200': { description: 'the verifier key and a line feed', content: { [TEXT]: 'text' } } },
  },
  'TransparencyLogController.consistency': {
    summary: 'Consistency proof between two tree sizes',
    description: 'Proves that the tree of size `to` extends the tree of size `from`; `to` is at most the latest signed size.',
    tags: ['log', 'proofs'],
    parameters: {
      from: { description: 'the older tree size', required: true, schema: count },
      to: { description: 'the newer tree size', required: true, schema: count },
    },
    responses: { '200': { description: 'the proof', content: { [JSON_TYPE]: 'ConsistencyProof' } } },
    errors: [400],
  },
  'TransparencyLogController.inclusion': {
    summary: 'Inclusion proof of a leaf index',
    description: 'The audit path of leaf `index` in the tree of size `treeSize` (at most the latest signed size).',
    tags: ['log', 'proofs'],
    parameters: {
      index: { description: 'the leaf index', required: true, schema: count },
      treeSize: { description: 'the tree size', required: true, schema: count },
    },
    responses: { '200': { description: 'the proof', content: { [JSON_TYPE]: 'InclusionProof' } } },
    errors: [400],
  },
  'TilesController.checkpoint': {
    summary: 'tlog-tiles: the signed checkpoint',
    description: 'C2SP tlog-tiles `checkpoint` under TRAILMARK_TILES_PREFIX (default /log/): the same bytes as GET /v1/log/checkpoint, cached for a few seconds.',
    tags: ['log', 'tiles'],
    responses: { '200': { description: 'the signed note', content: { [TEXT]: 'text' } } },
    errors: [503],
  },
  'TilesController.tile': {
    summary: 'tlog-tiles: a hash tile',
    description:
      'C2SP tlog-tiles `tile/<L>/<N>[.p/<W>]`: W (256 when full) hashes of tree level 8·L. N in groups of three digits, ' +
      'all but the last prefixed x (x001/x234/067). Full tiles are immutable; anything beyond the served checkpoint is a 404.',
    tags: ['log', 'tiles'],
    responses: { '200': { description: 'the tile', content: { 'application/octet-stream': 'text' } } },
    errors: [404, 503],
  },
  'TilesController.entries': {
    summary: 'tlog-tiles: an entry bundle',
    description:
      'C2SP tlog-tiles `tile/entries/<N>[.p/<W>]`: the leaves 256·N… as uint16 big-endian length-prefixed bytes (gzip when ' +
      'accepted). They hold every tenant\'s envelopes: an auditor or admin token for every tenant is needed, unless ' +
      'TRAILMARK_PUBLIC_ENTRIES=true. Full bundles are immutable; anything beyond the served checkpoint is a 404.',
    tags: ['log', 'tiles'],
    responses: { '200': { description: 'the bundle', content: { 'application/octet-stream': 'text' } } },
    errors: [403, 404, 503],
  },
  'HealthController.live': {
    summary: 'Liveness',
    description: 'Answers while the process serves HTTP.',
    tags: ['operations'],
    responses: { '200': { description: '{"status":"live"}' } },
  },
  'HealthController.ready': {
    summary: 'Readiness',
    description:
      'Ready once the tree has caught up with the store and checkpoints are being published. With witnesses, lists each ' +
      'one, and answers 503 `witness_conflict` while a witness refuses this log\'s checkpoints as inconsistent (409/422).',
    tags: ['operations'],
    responses: {
      '200': {
        description:
          '{"status":"ready"|"degraded","treeSize":N,"checkpointSize":M[,"servedSize":S,"witnesses":[...]],"clock":{"status":"ok"|"stepped","skewSeconds":S,"boundSeconds":B}}; ' +
          'degraded while the wall clock is stepped beyond the bound from server time',
      },
    },
    errors: [503],
  },
  'MetricsController.metrics': {
    summary: 'Prometheus metrics',
    description: 'Events recorded, tree and checkpoint size, checkpoint age, append batch sizes, HTTP durations, process metrics.',
    tags: ['operations'],
    responses: { '200': { description: 'Prometheus text exposition format', content: { 'text/plain; version=0.0.4; charset=utf-8': 'text' } } },
  },
  'OpenApiController.document': {
    summary: 'This OpenAPI 3.1 document',
    tags: ['operations'],
    responses: { '200': { description: 'the document', content: { [JSON_TYPE]: 'text' } } },
  },
  'OpenApiController.docs': {
    summary: 'API documentation page',
    description: 'A self-contained HTML page rendering this document; it loads nothing from elsewhere.',
    tags: ['operations'],
    responses: { '200': { description: 'HTML', content: { 'text/html; charset=utf-8': 'text' } } },
  },
  'AlertsController.list': {
    summary: 'List alerts',
    description: 'Alerts in the order they were raised, of the tenants the token may read. Recorded as audit_log.read.',
    tags: ['alerts'],
    parameters: {
      tenant: 'the tenant; required unless the token may read every tenant',
      rule: 'a rule name, e.g. brute-force',
      severity: { description: 'low, medium, high or critical', schema: { type: 'string', enum: ['low', 'medium', 'high', 'critical'] } },
      status: { description: 'open, acknowledged or closed', schema: { type: 'string', enum: ['open', 'acknowledged', 'closed'] } },
      from: { description: 'raised at or after, RFC 3339 UTC', schema: { type: 'string', format: 'date-time' } },
      to: { description: 'raised before, RFC 3339 UTC', schema: { type: 'string', format: 'date-time' } },
      cursor: { description: "the previous page's next", schema: count },
      limit: { description: 'at most this many alerts (1 to 1000, default 100)', schema: count },
    },
    responses: { '200': { description: '{"alerts":[...],"next":N|null}' } },
    errors: [400],
  },
  'AlertsController.get': {
    summary: 'Get an alert with its evidence',
    description: 'The alert, its alert.raised leaf index and the envelopes of the events it was raised on; each is provable with GET /v1/events/{id}/proof.',
    tags: ['alerts'],
    parameters: { id: 'the alert id (also the id of its alert.raised event)' },
    responses: { '200': { description: 'the alert' } },
    errors: [404],
  },
  'AlertsController.acknowledge': {
    summary: 'Acknowledge an alert',
    description: 'Body {"note": "..."} (optional). Recorded as alert.acknowledged.',
    tags: ['alerts'],
    parameters: { id: 'the alert id' },
    responses: { '200': { description: 'the alert' } },
    errors: [400, 404, 409],
  },
  'AlertsController.close': {
    summary: 'Close an alert',
    description: 'Body {"note": "..."} (optional). Recorded as alert.closed; the next finding of its rule and key raises a new alert.',
    tags: ['alerts'],
    parameters: { id: 'the alert id' },
    responses: { '200': { description: 'the alert' } },
    errors: [400, 404, 409],
  },
  'AlertRulesController.get': {
    summary: "Get a tenant's alert rule settings",
    tags: ['alerts'],
    parameters: { tenant: 'the tenant' },
    responses: { '200': { description: '{"tenant","rules","overrides","changed"}' } },
  },
  'AlertRulesController.put': {
    summary: "Replace a tenant's alert rule settings",
    description: 'Body {"rules": {"<rule>": {"<setting>": value}}}; what is left out is the default. Recorded as alert.rules.changed.',
    tags: ['alerts'],
    parameters: { tenant: 'the tenant' },
    responses: { '200': { description: '{"tenant","rules","overrides","changed"}' } },
    errors: [400],
  },
};
