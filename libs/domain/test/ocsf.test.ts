import Database from 'better-sqlite3';
import {
  ACTION_NAMES,
  ACTIONS,
  decodeEventMetadata,
  encodeEventMetadata,
  EventRecorder,
  OCSF_SCHEMA_VERSION,
  parseEnvelope,
  parseIdentityEventInput,
  prepareEvent,
  toOcsfEvent,
  type Action,
  type OcsfEvent,
} from '@trailmark/domain';
import { SqliteEventStore } from '@trailmark/event-store';
import { Sequencer, SqliteLedgerIndex } from '@trailmark/sequencer';
import { MerkleTree, SqliteTileStore } from '@trailmark/merkle';

// ---------------------------------------------------------------------------------------------
// Facts from the released OCSF schema 1.8.0 (ocsf/ocsf-schema: events/base_event.json, events/iam,
// events/application, profiles/host.json, profiles/security_control.json, objects/*.json,
// dictionary.json). The expectations below are derived from these, not from the code under test.
// ---------------------------------------------------------------------------------------------

const CATEGORIES: Record<number, string> = { 3: 'Identity & Access Management', 6: 'Application Activity' };

/** base_event: activity_id, category_uid, class_uid, metadata, severity_id, time, type_uid are required. */
const BASE_REQUIRED = ['activity_id', 'category_uid', 'class_uid', 'metadata', 'severity_id', 'time', 'type_uid'];
/** base_event attributes outside profiles. */
const BASE_ATTRIBUTES = [
  'activity_id', 'activity_name', 'category_name', 'category_uid', 'class_name', 'class_uid', 'count', 'duration',
  'end_time', 'enrichments', 'message', 'metadata', 'observables', 'raw_data', 'raw_data_hash', 'raw_data_size',
  'severity', 'severity_id', 'start_time', 'status', 'status_code', 'status_detail', 'status_id', 'time',
  'timezone_offset', 'type_name', 'type_uid', 'unmapped',
];
/** events/iam/iam.json adds these to every IAM class; application.json adds none. */
const IAM_ATTRIBUTES = ['actor', 'http_request', 'http_response', 'src_endpoint'];
const PROFILE_ATTRIBUTES: Record<string, string[]> = {
  host: ['actor', 'device'],
  security_control: [
    'action', 'action_id', 'attacks', 'authorizations', 'confidence', 'confidence_id', 'confidence_score', 'disposition',
    'disposition_id', 'firewall_rule', 'is_alert', 'malware', 'malware_scan_info', 'policy', 'risk_details', 'risk_level',
    'risk_level_id', 'risk_score',
  ],
};

interface OcsfClassFacts {
  name: string;
  activities: Record<number, string>;
  /** Attributes the class itself defines (beyond base_event and its category). */
  attributes: string[];
  required: string[];
  atLeastOne?: string[];
  justOne?: string[];
}

const CLASSES: Record<number, OcsfClassFacts> = {
  3001: {
    name: 'Account Change',
    activities: {
      1: 'Create', 2: 'Enable', 3: 'Password Change', 4: 'Password Reset', 5: 'Disable', 6: 'Delete', 7: 'Attach Policy',
      8: 'Detach Policy', 9: 'Lock', 10: 'MFA Factor Enable', 11: 'MFA Factor Disable', 12: 'Unlock',
    },
    attributes: ['activity_id', 'auth_factors', 'policies', 'user', 'user_result'],
    required: ['user'],
  },
  3002: {
    name: 'Authentication',
    activities: {
      1: 'Logon', 2: 'Logoff', 3: 'Authentication Ticket', 4: 'Service Ticket Request', 5: 'Service Ticket Renew', 6: 'Preauth',
      7: 'Account Switch',
    },
    attributes: [
      'account_switch_type', 'account_switch_type_id', 'activity_id', 'auth_factors', 'auth_protocol', 'auth_protocol_id',
      'authentication_token', 'certificate', 'dst_endpoint', 'is_cleartext', 'is_mfa', 'is_new_logon', 'is_remote',
      'logon_process', 'logon_type', 'logon_type_id', 'service', 'session', 'status_detail', 'user',
    ],
    required: ['user'],
    atLeastOne: ['service', 'dst_endpoint'],
  },
  3003: {
    name: 'Authorize Session',
    activities: { 1: 'Assign Privileges', 2: 'Assign Groups' },
    attributes: ['activity_id', 'dst_endpoint', 'group', 'privileges', 'session', 'user'],
    required: ['user'],
    justOne: ['privileges', 'group'],
  },
  3004: {
    name: 'Entity Management',
    activities: {
      1: 'Create', 2: 'Read', 3: 'Update', 4: 'Delete', 5: 'Move', 6: 'Enroll', 7: 'Unenroll', 8: 'Enable', 9: 'Disable',
      10: 'Activate', 11: 'Deactivate', 12: 'Suspend', 13: 'Resume',
    },
    attributes: ['access_list', 'access_mask', 'activity_id', 'comment', 'entity', 'entity_result'],
    required: ['entity'],
  },
  // `resource` is deprecated since 1.5.0 in this class (use `resources`).
  3005: {
    name: 'User Access Management',
    activities: { 1: 'Assign Privileges', 2: 'Revoke Privileges' },
    attributes: ['activity_id', 'privileges', 'resources', 'user'],
    required: ['privileges', 'user'],
  },
  3006: {
    name: 'Group Management',
    activities: {
      1: 'Assign Privileges', 2: 'Revoke Privileges', 3: 'Add User', 4: 'Remove User', 5: 'Delete', 6: 'Create', 7: 'Add Subgroup',
      8: 'Remove Subgroup',
    },
    attributes: ['activity_id', 'group', 'privileges', 'resource', 'subgroup', 'user'],
    required: ['group'],
  },
  6001: {
    name: 'Web Resources Activity',
    activities: { 1: 'Create', 2: 'Read', 3: 'Update', 4: 'Delete', 5: 'Search', 6: 'Import', 7: 'Export', 8: 'Share' },
    attributes: ['activity_id', 'dst_endpoint', 'http_request', 'http_response', 'src_endpoint', 'tls', 'web_resources', 'web_resources_result'],
    required: ['web_resources'],
  },
  6003: {
    name: 'API Activity',
    activities: { 1: 'Create', 2: 'Read', 3: 'Update', 4: 'Delete' },
    attributes: ['activity_id', 'actor', 'api', 'dst_endpoint', 'http_request', 'http_response', 'resources', 'src_endpoint'],
    required: ['actor', 'api', 'src_endpoint'],
  },
  6005: {
    name: 'Datastore Activity',
    activities: {
      1: 'Read', 2: 'Update', 3: 'Connect', 4: 'Query', 5: 'Write', 6: 'Create', 7: 'Delete', 8: 'List', 9: 'Encrypt', 10: 'Decrypt',
    },
    attributes: [
      'activity_id', 'actor', 'database', 'databucket', 'dst_endpoint', 'http_request', 'http_response', 'query_info',
      'src_endpoint', 'table', 'type', 'type_id',
    ],
    required: ['actor', 'src_endpoint'],
    atLeastOne: ['database', 'databucket', 'table'],
  },
};

const SEVERITY = { Informational: 1, Low: 2, Medium: 3 } as const;
const STATUS = { Success: 1, Failure: 2, Other: 99 } as const;
/** objects/user.json type_id. */
const USER_TYPE = { User: 1, Admin: 2, System: 3, Service: 4, Other: 99 } as const;
/** Object constraints: actor, user (an _entity) and network_endpoint need at least one of these. */
const ACTOR_ONE_OF = ['process', 'user', 'invoked_by', 'session', 'app_name', 'app_uid'];
const USER_ONE_OF = ['account', 'name', 'uid'];
const NETWORK_ENDPOINT_ONE_OF = ['ip', 'uid', 'name', 'hostname', 'svc_name', 'instance_uid', 'interface_uid', 'interface_name', 'domain'];

// ---------------------------------------------------------------------------------------------
// Building events the way the recorder stores them: validate, prepare, then read the leaf and the
// stored metadata back (parseEnvelope, decodeEventMetadata) as an exporter reading the store would.
// ---------------------------------------------------------------------------------------------

const ID = '0190f1c4-7b7e-7c4a-9e2f-3b1d5c6a7e8f';
const TIME = '2026-11-22T09:30:00.123456Z';
/** TIME in epoch milliseconds, computed from its calendar parts (microseconds truncated). */
const TIME_MS = Date.UTC(2026, 10, 22, 9, 30, 0, 123);
const SALT = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
const PRODUCT = { name: 'Trailmark', version: '0.1.0', vendorName: 'Trailmark Project' };
const CONTEXT = { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (X11)', requestId: 'req_1', sessionId: 'sess_1', correlationId: 'corr_1' };

function exportOf(body: Record<string, unknown>, leafIndex = 41n, options: { time?: string; logName?: string } = {}): OcsfEvent {
  const prepared = prepareEvent(parseIdentityEventInput({ tenant: 'acme', outcome: 'success', ...body }), options.time ?? TIME, ID, SALT);
  const envelope = parseEnvelope(prepared.leaf);
  const { detail } = decodeEventMetadata(encodeEventMetadata(prepared));
  return toOcsfEvent({ envelope, detail, leafIndex }, PRODUCT, options.logName === undefined ? {} : { logName: options.logName });
}

/** The checks every event must pass, from the facts above and the classification asked for. */
function expectValidOcsf(event: OcsfEvent, classUid: number, activityId: number, action: string): void {
  const facts = CLASSES[classUid]!;
  const record = event as unknown as Record<string, unknown>;
  for (const name of BASE_REQUIRED) expect(record[name]).toBeDefined();
  expect(event.class_uid).toBe(classUid);
  expect(event.class_name).toBe(facts.name);
  expect(event.category_uid).toBe(Math.floor(classUid / 1000));
  expect(event.category_name).toBe(CATEGORIES[Math.floor(classUid / 1000)]);
  expect(event.activity_id).toBe(activityId);
  // Activity 99 is Other, named by the source: the Trailmark action.
  expect(event.activity_name).toBe(activityId === 99 ? action : facts.activities[activityId]);
  expect(event.type_uid).toBe(classUid * 100 + activityId);
  expect(event.type_name).toBe(`${facts.name}: ${activityId === 99 ? 'Other' : facts.activities[activityId]}`);
  expect(Object.values(SEVERITY)).toContain(event.severity_id);
  expect(event.severity).toBe(Object.entries(SEVERITY).find(([, id]) => id === event.severity_id)![0]);
  expect(Number.isInteger(event.time)).toBe(true);
  expect(event.metadata.product).toEqual({ name: PRODUCT.name, vendor_name: PRODUCT.vendorName, version: PRODUCT.version });
  expect(event.metadata.version).toBe('1.8.0');
  expect(OCSF_SCHEMA_VERSION).toBe('1.8.0');

  for (const name of facts.required) expect(record[name]).toBeDefined();
  if (facts.atLeastOne) expect(facts.atLeastOne.filter((name) => record[name] !== undefined).length).toBeGreaterThanOrEqual(1);
  if (facts.justOne) expect(facts.justOne.filter((name) => record[name] !== undefined)).toHaveLength(1);

  // Only attributes the class defines, or a profile the event declares.
  const profiles = event.metadata.profiles ?? [];
  const allowed = new Set([
    ...BASE_ATTRIBUTES,
    ...(classUid < 4000 ? IAM_ATTRIBUTES : []),
    ...facts.attributes,
    ...profiles.flatMap((profile) => PROFILE_ATTRIBUTES[profile] ?? []),
  ]);
  for (const name of Object.keys(event)) expect([name, allowed.has(name)]).toEqual([name, true]);

  expect(ACTOR_ONE_OF.some((name) => (event.actor as unknown as Record<string, unknown>)[name] !== undefined)).toBe(true);
  for (const user of [event.actor.user, event.user]) {
    if (user) expect(USER_ONE_OF.some((name) => (user as unknown as Record<string, unknown>)[name] !== undefined)).toBe(true);
  }
  if (event.src_endpoint) {
    expect(NETWORK_ENDPOINT_ONE_OF.some((name) => (event.src_endpoint as Record<string, unknown>)[name] !== undefined)).toBe(true);
  }
}

// ---------------------------------------------------------------------------------------------
// One test per OCSF class the vocabulary uses.
// ---------------------------------------------------------------------------------------------

describe('toOcsfEvent, per OCSF class', () => {
  test('3001 Account Change: user.password.reset by an admin, for the target user', () => {
    const event = exportOf({
      action: 'user.password.reset',
      actor: { type: 'user', id: 'u_admin' },
      targets: [{ type: 'user', id: 'u_1' }],
      context: { ip: '198.51.100.4' },
    });
    expectValidOcsf(event, 3001, 4, 'user.password.reset');
    expect(event.type_uid).toBe(300104);
    expect(event.severity_id).toBe(SEVERITY.Informational);
    expect(event.time).toBe(TIME_MS);
    expect(event.status_id).toBe(STATUS.Success);
    expect(event.metadata.tenant_uid).toBe('acme');
    expect(event.actor).toEqual({ user: { uid: 'u_admin', type_id: USER_TYPE.User, type: 'User' } });
    // The user is the target, not the actor.
    expect(event.user).toEqual({ uid: 'u_1', type_id: USER_TYPE.User, type: 'User' });
    expect(event.src_endpoint).toEqual({ ip: '198.51.100.4' });
    expect(event.http_request).toBeUndefined();
  });

  test('3002 Authentication: a failed user.login is Medium, with the reason, context and session', () => {
    const event = exportOf({
      action: 'user.login',
      outcome: 'failure',
      reason: 'wrong_password',
      actor: { type: 'user', id: 'u_123', authMethod: 'password' },
      targets: [{ type: 'user', id: 'u_123' }],
      context: { ...CONTEXT, geo: { country: 'FR', city: 'Lyon' } },
      occurredAt: '2026-11-22T10:29:59.9+01:00',
    }, 7n, { logName: 'ledger.example.com/log' });
    expectValidOcsf(event, 3002, 1, 'user.login');
    expect(event.type_uid).toBe(300201);
    expect(event.severity_id).toBe(SEVERITY.Medium);
    expect(event.time).toBe(TIME_MS);
    expect([event.status_id, event.status, event.status_detail]).toEqual([STATUS.Failure, 'Failure', 'wrong_password']);
    expect(event.metadata).toMatchObject({
      uid: ID,
      tenant_uid: 'acme',
      sequence: 7,
      log_name: 'ledger.example.com/log',
      original_time: '2026-11-22T10:29:59.9+01:00',
      correlation_uid: 'corr_1',
    });
    expect(event.actor.user).toEqual({ uid: 'u_123', type_id: USER_TYPE.User, type: 'User' });
    expect(event.user).toEqual({ uid: 'u_123', type_id: USER_TYPE.User, type: 'User' });
    expect(event.src_endpoint).toEqual({ ip: '203.0.113.7', location: { country: 'FR', city: 'Lyon' } });
    expect(event.http_request).toEqual({ uid: 'req_1', user_agent: 'Mozilla/5.0 (X11)' });
    expect(event.session).toEqual({ uid: 'sess_1' });
    // "password" names no protocol of auth_protocol_id, and logon_type is not in the event: neither is invented.
    expect(event).not.toHaveProperty('auth_protocol_id');
    expect(event).not.toHaveProperty('logon_type_id');
    expect(event.unmapped).toEqual({ auth_method: 'password' });
    // at_least_one of service, dst_endpoint: the service logged on to is not in the event.
    expect(event.service).toEqual({ name: 'Unknown' });
  });

  test('3002 Authentication: a SAML logon names its protocol and the application logged on to', () => {
    const event = exportOf({
      action: 'session.started',
      actor: { type: 'user', id: 'u_1', authMethod: 'SAML' },
      targets: [{ type: 'user', id: 'u_1' }, { type: 'application', id: 'crm' }],
    });
    expectValidOcsf(event, 3002, 1, 'session.started');
    // auth_protocol_id 5 is SAML.
    expect([event.auth_protocol_id, event.auth_protocol]).toEqual([5, 'SAML']);
    expect(event.service).toEqual({ uid: 'crm' });
    expect(event).not.toHaveProperty('unmapped');
    expect(event).not.toHaveProperty('src_endpoint');
  });

  test('3002 Authentication: api_key.used, a key authenticating', () => {
    const event = exportOf({
      action: 'api_key.used',
      actor: { type: 'api_key', id: 'key_9' },
      targets: [{ type: 'api_key', id: 'key_9' }],
      context: { ip: '2001:db8::1' },
    });
    expectValidOcsf(event, 3002, 1, 'api_key.used');
    // A key is no user type of OCSF: Other, named by the source, and a programmatic credential.
    const key = { uid: 'key_9', type_id: USER_TYPE.Other, type: 'api_key', programmatic_credentials: [{ uid: 'key_9', type: 'API Key' }] };
    expect(event.actor.user).toEqual(key);
    expect(event.user).toEqual(key);
    expect(event.src_endpoint).toEqual({ ip: '2001:db8::1' });
  });

  test('3003 Authorize Session: oauth.token.granted to a client, its scopes as privileges', () => {
    const event = exportOf({
      action: 'oauth.token.granted',
      actor: { type: 'service', id: 'svc_auth' },
      targets: [{ type: 'oauth_client', id: 'client_42' }],
      metadata: { scope: 'openid profile  email' },
      context: { ip: '203.0.113.9', sessionId: 'sess_2' },
    });
    expectValidOcsf(event, 3003, 1, 'oauth.token.granted');
    expect(event.type_uid).toBe(300301);
    expect(event.severity_id).toBe(SEVERITY.Informational);
    expect(event.status_id).toBe(STATUS.Success);
    // RFC 6749 §3.3: scope tokens are separated by spaces.
    expect(event.privileges).toEqual(['openid', 'profile', 'email']);
    expect(event.actor).toEqual({ user: { uid: 'svc_auth', type_id: USER_TYPE.Service, type: 'Service' }, app_uid: 'svc_auth' });
    expect(event.user).toEqual({ uid: 'client_42', type_id: USER_TYPE.Other, type: 'oauth_client' });
    expect(event.session).toEqual({ uid: 'sess_2' });
    expect(event.src_endpoint).toEqual({ ip: '203.0.113.9' });
  });

  test('3003 Authorize Session: oauth.token.revoked is activity Other; without scopes, privileges are empty', () => {
    const event = exportOf({ action: 'oauth.token.revoked', actor: { type: 'user', id: 'u_1' }, targets: [{ type: 'user', id: 'u_1' }] });
    expectValidOcsf(event, 3003, 99, 'oauth.token.revoked');
    expect(event.type_uid).toBe(300399);
    expect(event.privileges).toEqual([]);
  });

  test('3004 Entity Management: org.settings.changed, before and after', () => {
    const event = exportOf({
      action: 'org.settings.changed',
      actor: { type: 'user', id: 'u_admin' },
      targets: [{ type: 'org', id: 'acme-org' }],
      changes: { before: { mfaRequired: false }, after: { mfaRequired: true } },
    });
    expectValidOcsf(event, 3004, 3, 'org.settings.changed');
    expect(event.type_uid).toBe(300403);
    // managed_entity.type_id 4 is Organization.
    expect(event.entity).toEqual({
      uid: 'acme-org',
      type_id: 4,
      type: 'Organization',
      org: { uid: 'acme-org' },
      data: { mfaRequired: false },
    });
    expect(event.entity_result).toMatchObject({ uid: 'acme-org', data: { mfaRequired: true } });
    expect(event).not.toHaveProperty('user');
  });

  test('3005 User Access Management: role.granted to a user', () => {
    const event = exportOf({
      action: 'role.granted',
      reason: 'ticket 42',
      actor: { type: 'user', id: 'u_admin', authMethod: 'sso' },
      targets: [{ type: 'user', id: 'u_1' }, { type: 'role', id: 'admin' }, { type: 'application', id: 'billing' }],
      context: { ip: '203.0.113.7', userAgent: 'curl/8' },
    });
    expectValidOcsf(event, 3005, 1, 'role.granted');
    expect(event.type_uid).toBe(300501);
    expect(event.severity_id).toBe(SEVERITY.Informational);
    expect(event.time).toBe(TIME_MS);
    expect(event.status_id).toBe(STATUS.Success);
    expect(event.status_detail).toBe('ticket 42');
    expect(event.metadata.tenant_uid).toBe('acme');
    expect(event.actor.user).toEqual({ uid: 'u_admin', type_id: USER_TYPE.User, type: 'User' });
    expect(event.user).toEqual({ uid: 'u_1', type_id: USER_TYPE.User, type: 'User' });
    expect(event.privileges).toEqual(['admin']);
    expect(event.resources).toEqual([{ uid: 'billing', type: 'application' }]);
    expect(event.src_endpoint).toEqual({ ip: '203.0.113.7' });
    expect(event.http_request).toEqual({ user_agent: 'curl/8' });
    // A failed grant is not an authentication failure: Low.
    const failed = exportOf({
      action: 'role.granted',
      outcome: 'failure',
      actor: { type: 'user', id: 'u_admin' },
      targets: [{ type: 'user', id: 'u_1' }, { type: 'role', id: 'admin' }],
    });
    expect(failed.severity_id).toBe(SEVERITY.Low);
  });

  test('3006 Group Management: role.revoked from a group', () => {
    const event = exportOf({
      action: 'role.revoked',
      actor: { type: 'system', id: 'scim-sync' },
      targets: [{ type: 'group', id: 'g_ops' }, { type: 'role', id: 'deployer' }],
    });
    // User Access Management requires the user privileges went to; a group's are Group Management's,
    // whose activity 2 is also Revoke Privileges.
    expectValidOcsf(event, 3006, 2, 'role.revoked');
    expect(event.type_uid).toBe(300602);
    expect(event.group).toEqual({ uid: 'g_ops' });
    expect(event.privileges).toEqual(['deployer']);
    expect(event.actor).toEqual({ user: { uid: 'scim-sync', type_id: USER_TYPE.System, type: 'System' } });
    expect(event).not.toHaveProperty('user');
  });

  test('6001 Web Resources Activity: permission.denied, under the Security Control profile', () => {
    const event = exportOf({
      action: 'permission.denied',
      outcome: 'failure',
      reason: 'missing_scope',
      actor: { type: 'user', id: 'u_1' },
      targets: [{ type: 'report', id: 'rep_7' }],
      context: { ip: '203.0.113.7', sessionId: 'sess_3' },
    });
    expectValidOcsf(event, 6001, 99, 'permission.denied');
    expect(event.category_uid).toBe(6);
    expect(event.type_uid).toBe(600199);
    expect(event.severity_id).toBe(SEVERITY.Medium);
    expect(event.status_id).toBe(STATUS.Failure);
    expect(event.web_resources).toEqual([{ uid: 'rep_7', type: 'report' }]);
    // actor is a Host profile attribute in this class; action_id 2 Denied is the Security Control profile's.
    expect(event.metadata.profiles).toEqual(expect.arrayContaining(['host', 'security_control']));
    expect([event.action_id, event.action]).toEqual([2, 'Denied']);
    expect(event.actor).toEqual({ user: { uid: 'u_1', type_id: USER_TYPE.User, type: 'User' }, session: { uid: 'sess_3' } });
    expect(event.src_endpoint).toEqual({ ip: '203.0.113.7' });
    // Whatever outcome the client reports, a denial is Medium.
    const recordedAsSuccess = exportOf({ action: 'permission.denied', actor: { type: 'user', id: 'u_1' }, targets: [{ type: 'report', id: 'rep_7' }] });
    expect(recordedAsSuccess.severity_id).toBe(SEVERITY.Medium);
  });

  test('6001 Web Resources Activity: audit_log.exported without a target exports the tenant\'s audit log', () => {
    const event = exportOf({ action: 'audit_log.exported', actor: { type: 'user', id: 'u_auditor' } });
    expectValidOcsf(event, 6001, 7, 'audit_log.exported');
    expect(event.type_uid).toBe(600107);
    expect(event.web_resources).toEqual([{ uid: 'acme', type: 'audit_log' }]);
    expect(event.metadata.profiles).toEqual(['host']);
  });

  test('6003 API Activity: ai.prompt.submitted, the action as the API operation', () => {
    const event = exportOf({
      action: 'ai.prompt.submitted',
      actor: { type: 'service', id: 'svc_chat' },
      targets: [{ type: 'ai_model', id: 'gpt-4o' }],
      metadata: { promptSha256: 'ab'.repeat(32), inputTokens: 120 },
      context: { ip: '10.0.0.5', requestId: 'req_9' },
    });
    expectValidOcsf(event, 6003, 1, 'ai.prompt.submitted');
    expect(event.type_uid).toBe(600301);
    expect(event.category_uid).toBe(6);
    expect(event.severity_id).toBe(SEVERITY.Informational);
    expect(event.time).toBe(TIME_MS);
    expect(event.status_id).toBe(STATUS.Success);
    expect(event.api).toEqual({ operation: 'ai.prompt.submitted', request: { uid: 'req_9' } });
    expect(event.resources).toEqual([{ uid: 'gpt-4o', type: 'ai_model' }]);
    expect(event.actor).toEqual({ user: { uid: 'svc_chat', type_id: USER_TYPE.Service, type: 'Service' }, app_uid: 'svc_chat' });
    expect(event.src_endpoint).toEqual({ ip: '10.0.0.5' });
  });

  test('6003 API Activity: an "error" outcome is status Other and Low; a required src_endpoint without context is Unknown', () => {
    const event = exportOf({
      action: 'ai.response.returned',
      outcome: 'error',
      reason: 'timeout',
      actor: { type: 'service', id: 'svc_chat' },
      targets: [{ type: 'ai_model', id: 'm' }],
    });
    expectValidOcsf(event, 6003, 99, 'ai.response.returned');
    expect([event.status_id, event.status_detail]).toEqual([STATUS.Other, 'timeout']);
    expect(event.severity_id).toBe(SEVERITY.Low);
    expect(event.src_endpoint).toEqual({ name: 'Unknown' });
  });

  test('6005 Datastore Activity: data.sensitive.read of a table', () => {
    const event = exportOf({
      action: 'data.sensitive.read',
      actor: { type: 'user', id: 'u_analyst' },
      targets: [{ type: 'table', id: 'patients' }],
      context: { ip: '192.0.2.10', userAgent: 'psql' },
    });
    expectValidOcsf(event, 6005, 1, 'data.sensitive.read');
    expect(event.type_uid).toBe(600501);
    expect(event.table).toEqual({ uid: 'patients' });
    // Datastore Type ID 3 is Table.
    expect(event.type_id).toBe(3);
    expect(event.actor.user).toEqual({ uid: 'u_analyst', type_id: USER_TYPE.User, type: 'User' });
    expect(event.src_endpoint).toEqual({ ip: '192.0.2.10' });
    expect(event.http_request).toEqual({ user_agent: 'psql' });
  });

  test('6005 Datastore Activity: ai.documents.retrieved keeps its documents, with the store unknown', () => {
    const event = exportOf({
      action: 'ai.documents.retrieved',
      actor: { type: 'api_key', id: 'key_1' },
      targets: [{ type: 'document', id: 'doc_1' }, { type: 'document', id: 'doc_2' }],
    });
    expectValidOcsf(event, 6005, 4, 'ai.documents.retrieved');
    expect(event.type_uid).toBe(600504);
    // database.type_id is required; 0 is Unknown.
    expect(event.database).toEqual({ name: 'Unknown', type_id: 0 });
    expect(event.unmapped?.targets).toEqual([{ type: 'document', id: 'doc_1' }, { type: 'document', id: 'doc_2' }]);
  });
});

// ---------------------------------------------------------------------------------------------
// Every action of the vocabulary.
// ---------------------------------------------------------------------------------------------

/** A valid body for `action`: its required targets, the first accepted type of each. */
function bodyFor(action: Action, subjectType?: string): Record<string, unknown> {
  const targets = ACTIONS[action].targets.flatMap((expectation, i) => {
    if (!expectation.required) return [];
    const type = i === 0 && subjectType !== undefined ? subjectType : expectation.types === 'any' ? 'dataset' : expectation.types[0]!;
    return [{ type, id: `${type}_${i}` }];
  });
  return { action, actor: { type: 'user', id: 'u_1' }, targets, context: { ip: '203.0.113.7', userAgent: 'ua' } };
}

describe('every action of the vocabulary', () => {
  test.each(ACTION_NAMES)('%s exports as its OCSF class and activity, with the required fields', (action) => {
    const { classUid, activityId, className } = ACTIONS[action].ocsf;
    expect(CLASSES[classUid]?.name).toBe(className);
    for (const [outcome, status] of [['success', STATUS.Success], ['failure', STATUS.Failure], ['error', STATUS.Other]] as const) {
      const event = exportOf({ ...bodyFor(action), outcome }, 1234n);
      expectValidOcsf(event, classUid, activityId, action);
      expect(event.status_id).toBe(status);
      expect(event.time).toBe(TIME_MS);
      expect(event.metadata).toMatchObject({ uid: ID, tenant_uid: 'acme', sequence: 1234 });
      expect(event.actor.user).toEqual({ uid: 'u_1', type_id: USER_TYPE.User, type: 'User' });
      // The severity rule: denials and failed authentication Medium, other successes Informational, the rest Low.
      const expected =
        action === 'permission.denied' || (outcome === 'failure' && ACTIONS[action].category === 'authentication')
          ? SEVERITY.Medium
          : outcome === 'success'
            ? SEVERITY.Informational
            : SEVERITY.Low;
      expect(event.severity_id).toBe(expected);
      expect(event.src_endpoint?.ip).toBe('203.0.113.7');
    }
  });

  test.each(ACTION_NAMES)('%s exports without its detail (erased) and with every kind of actor', (action) => {
    const { classUid, activityId } = ACTIONS[action].ocsf;
    for (const type of ['user', 'service', 'api_key', 'system'] as const) {
      const { context: _, ...body } = bodyFor(action);
      const event = exportOf({ ...body, actor: { type, id: 'a_1' } });
      expectValidOcsf(event, classUid, activityId, action);
      expect(event.actor.user.uid).toBe('a_1');
      expect(event.metadata).not.toHaveProperty('original_time');
    }
  });

  test('actions whose subject may be a group move to Group Management, keeping their activity', () => {
    const groupable = ACTION_NAMES.filter((action) => {
      const subject = ACTIONS[action].targets[0];
      return ACTIONS[action].ocsf.classUid === 3005 && subject !== undefined && subject.types !== 'any' && subject.types.includes('group');
    });
    expect(groupable).toEqual(expect.arrayContaining(['role.granted', 'role.revoked', 'permission.changed']));
    for (const action of groupable) {
      const event = exportOf(bodyFor(action, 'group'));
      expectValidOcsf(event, 3006, ACTIONS[action].ocsf.activityId, action);
    }
  });
});

describe('field rules', () => {
  test('time truncates the microseconds of server time to milliseconds', () => {
    const body = { action: 'user.logout', actor: { type: 'user', id: 'u_1' }, targets: [{ type: 'user', id: 'u_1' }] };
    expect(exportOf(body, 0n, { time: '1999-12-31T23:59:59.999999Z' }).time).toBe(Date.UTC(2000, 0, 1) - 1);
    expect(exportOf(body, 0n, { time: '1970-01-01T00:00:00.000999Z' }).time).toBe(0);
  });

  test('a leaf index that is no safe integer cannot be a sequence', () => {
    const body = { action: 'user.logout', actor: { type: 'user', id: 'u_1' }, targets: [{ type: 'user', id: 'u_1' }] };
    expect(exportOf(body, 2n ** 53n - 1n).metadata.sequence).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => exportOf(body, 2n ** 53n)).toThrow(RangeError);
    expect(() => exportOf(body, -1n)).toThrow(RangeError);
  });
});

test('an event recorded through the write path exports with its receipt\'s id, time and leaf index', async () => {
  const db = new Database(':memory:');
  const store = new SqliteEventStore(db);
  const index = new SqliteLedgerIndex(db);
  const sequencer = new Sequencer(store, MerkleTree.open(new SqliteTileStore(db)), index, () => undefined);
  await sequencer.start();
  try {
    const recorder = new EventRecorder(store, sequencer, index);
    await recorder.resumeClock();
    const body = (action: string) => ({
      tenant: 'acme',
      action,
      outcome: 'success',
      actor: { type: 'user', id: 'u_1' },
      targets: [{ type: 'user', id: 'u_1' }],
      context: { ip: '203.0.113.7' },
    });
    const recorded = await recorder.record([body('user.login'), body('user.logout')], '*', (i) => `events[${i}]`);
    const stored = await store.readAll({ from: 'start', maxCount: 10 });
    expect(stored).toHaveLength(2);
    for (const [i, event] of stored.entries()) {
      const { receipt } = recorded[i]!;
      const ocsf = toOcsfEvent(
        { envelope: parseEnvelope(event.data), detail: decodeEventMetadata(event.metadata).detail, leafIndex: receipt.leafIndex },
        PRODUCT,
      );
      const [, date, hms, micros] = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})\.(\d{6})Z$/.exec(receipt.time)!;
      expect(ocsf.time).toBe(Date.parse(`${date}T${hms}Z`) + Math.floor(Number(micros) / 1000));
      expect(ocsf.metadata).toMatchObject({ uid: receipt.id, sequence: Number(receipt.leafIndex), tenant_uid: 'acme' });
      expectValidOcsf(ocsf, 3002, i === 0 ? 1 : 2, i === 0 ? 'user.login' : 'user.logout');
      expect(ocsf.src_endpoint).toEqual({ ip: '203.0.113.7' });
    }
  } finally {
    await sequencer.stop();
  }
});
