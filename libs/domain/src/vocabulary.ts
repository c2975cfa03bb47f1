import { InvalidEventError } from './errors.js';

/**
 * The controlled action vocabulary (DESIGN.md "Event model"): for each action, its
 * category, the targets it expects and the OCSF event class it maps to.
 *
 * OCSF ids are those of the released schema OCSF 1.8.0 (github.com/ocsf/ocsf-schema,
 * events/iam/*.json and events/application/*.json). class_uid = category_uid * 1000
 * + class uid: IAM is category 3, Application Activity is category 6. Where no
 * activity of the class fits, the action maps to activity 99 "Other"; an OCSF
 * exporter then puts the Trailmark action name in `activity_name`, as OCSF asks
 * for activity 99.
 *
 * Target rules (checked by checkTargets):
 * - an action's first expectation is its subject: when it is required, targets[0]
 *   must be of one of its types. The subject names the event's stream
 *   (identity-<tenant>.<type>.<id>), so "the first target" must mean the same
 *   thing for every event of an action: for role.granted, the user or group.
 * - every further required expectation needs one more target of its types, in any
 *   position after the subject;
 * - targets beyond the expectations are allowed (up to the schema's 10), so a
 *   client can name the application, the session or the document it also touched.
 */

export type ActionCategory = 'authentication' | 'authorization' | 'administration' | 'data_access' | 'ai_use' | 'alert';

export interface OcsfClassification {
  readonly classUid: number;
  readonly className: string;
  readonly activityId: number;
  readonly activityName: string;
}

export interface TargetExpectation {
  /** What this target is to the action: 'subject' for the first, else e.g. 'role'. */
  readonly name: string;
  /** Accepted target types, or 'any' for "whatever the client touched" (a dataset, a document...). */
  readonly types: readonly string[] | 'any';
  readonly required: boolean;
}

export interface ActionDefinition {
  readonly category: ActionCategory;
  readonly targets: readonly TargetExpectation[];
  readonly ocsf: OcsfClassification;
}

type OcsfClass = Pick<OcsfClassification, 'classUid' | 'className'>;

const ACCOUNT_CHANGE: OcsfClass = { classUid: 3001, className: 'Account Change' };
const AUTHENTICATION: OcsfClass = { classUid: 3002, className: 'Authentication' };
const AUTHORIZE_SESSION: OcsfClass = { classUid: 3003, className: 'Authorize Session' };
const ENTITY_MANAGEMENT: OcsfClass = { classUid: 3004, className: 'Entity Management' };
const USER_ACCESS_MANAGEMENT: OcsfClass = { classUid: 3005, className: 'User Access Management' };
const WEB_RESOURCES_ACTIVITY: OcsfClass = { classUid: 6001, className: 'Web Resources Activity' };
const API_ACTIVITY: OcsfClass = { classUid: 6003, className: 'API Activity' };
const DATASTORE_ACTIVITY: OcsfClass = { classUid: 6005, className: 'Datastore Activity' };

function ocsf(cls: OcsfClass, activityId: number, activityName: string): OcsfClassification {
  return { ...cls, activityId, activityName };
}

const OTHER = 99;

function subject(...types: string[]): TargetExpectation {
  return { name: 'subject', types, required: true };
}
const ANY_SUBJECT: TargetExpectation = { name: 'subject', types: 'any', required: true };
function optional(name: string, ...types: string[]): TargetExpectation {
  return { name, types, required: false };
}
const ROLE: TargetExpectation = { name: 'role', types: ['role'], required: true };

const USER = [subject('user')];

export const ACTIONS = {
  // authentication
  'user.login': { category: 'authentication', targets: USER, ocsf: ocsf(AUTHENTICATION, 1, 'Logon') },
  'user.logout': { category: 'authentication', targets: USER, ocsf: ocsf(AUTHENTICATION, 2, 'Logoff') },
  'user.password.changed': { category: 'authentication', targets: USER, ocsf: ocsf(ACCOUNT_CHANGE, 3, 'Password Change') },
  'user.password.reset': { category: 'authentication', targets: USER, ocsf: ocsf(ACCOUNT_CHANGE, 4, 'Password Reset') },
  'user.mfa.enrolled': { category: 'authentication', targets: USER, ocsf: ocsf(ACCOUNT_CHANGE, 10, 'MFA Factor Enable') },
  // A second factor checked during a logon or a step-up: Authentication has no activity for it.
  'user.mfa.verified': { category: 'authentication', targets: USER, ocsf: ocsf(AUTHENTICATION, OTHER, 'Other') },
  'user.mfa.disabled': { category: 'authentication', targets: USER, ocsf: ocsf(ACCOUNT_CHANGE, 11, 'MFA Factor Disable') },
  'session.started': { category: 'authentication', targets: USER, ocsf: ocsf(AUTHENTICATION, 1, 'Logon') },
  'session.ended': { category: 'authentication', targets: USER, ocsf: ocsf(AUTHENTICATION, 2, 'Logoff') },
  // A request authenticated by an API key is a logon of that key.
  'api_key.used': { category: 'authentication', targets: [subject('api_key')], ocsf: ocsf(AUTHENTICATION, 1, 'Logon') },

  // authorization
  'role.granted': {
    category: 'authorization',
    targets: [subject('user', 'group'), ROLE],
    ocsf: ocsf(USER_ACCESS_MANAGEMENT, 1, 'Assign Privileges'),
  },
  'role.revoked': {
    category: 'authorization',
    targets: [subject('user', 'group'), ROLE],
    ocsf: ocsf(USER_ACCESS_MANAGEMENT, 2, 'Revoke Privileges'),
  },
  // The permissions of a role, user, group or key were edited (granted and revoked at once).
  'permission.changed': {
    category: 'authorization',
    targets: [subject('role', 'user', 'group', 'api_key'), optional('permission', 'permission')],
    ocsf: ocsf(USER_ACCESS_MANAGEMENT, OTHER, 'Other'),
  },
  // The actor was refused access to the subject. OCSF deprecated the "Access Deny" activity
  // (Web Resource Access Activity) for Web Resources Activity with the Security Control
  // profile's action_id 2 "Denied"; the attempted operation is not known here, hence Other.
  'permission.denied': {
    category: 'authorization',
    targets: [ANY_SUBJECT],
    ocsf: ocsf(WEB_RESOURCES_ACTIVITY, OTHER, 'Other'),
  },
  'api_key.created': { category: 'authorization', targets: [subject('api_key')], ocsf: ocsf(ENTITY_MANAGEMENT, 1, 'Create') },
  'api_key.deleted': { category: 'authorization', targets: [subject('api_key')], ocsf: ocsf(ENTITY_MANAGEMENT, 4, 'Delete') },
  // The token's scopes are privileges given to the client's session; the subject is the
  // party the token was issued for. Authorize Session has no revoke activity.
  'oauth.token.granted': {
    category: 'authorization',
    targets: [subject('user', 'oauth_client', 'service')],
    ocsf: ocsf(AUTHORIZE_SESSION, 1, 'Assign Privileges'),
  },
  'oauth.token.revoked': {
    category: 'authorization',
    targets: [subject('user', 'oauth_client', 'service')],
    ocsf: ocsf(AUTHORIZE_SESSION, OTHER, 'Other'),
  },

  // administration
  'user.created': { category: 'administration', targets: USER, ocsf: ocsf(ACCOUNT_CHANGE, 1, 'Create') },
  // Account Change has no generic update activity; keeping user.* in one class lets rules key on it.
  'user.updated': { category: 'administration', targets: USER, ocsf: ocsf(ACCOUNT_CHANGE, OTHER, 'Other') },
  'user.deactivated': { category: 'administration', targets: USER, ocsf: ocsf(ACCOUNT_CHANGE, 5, 'Disable') },
  'user.deleted': { category: 'administration', targets: USER, ocsf: ocsf(ACCOUNT_CHANGE, 6, 'Delete') },
  'org.settings.changed': { category: 'administration', targets: [subject('org')], ocsf: ocsf(ENTITY_MANAGEMENT, 3, 'Update') },
  'sso.config.changed': {
    category: 'administration',
    targets: [subject('sso_connection', 'org')],
    ocsf: ocsf(ENTITY_MANAGEMENT, 3, 'Update'),
  },
  'security.policy.changed': {
    category: 'administration',
    targets: [subject('policy', 'org')],
    ocsf: ocsf(ENTITY_MANAGEMENT, 3, 'Update'),
  },

  // data access: the subject is what was read or moved (a dataset, report, table, document...).
  'data.exported': { category: 'data_access', targets: [ANY_SUBJECT], ocsf: ocsf(WEB_RESOURCES_ACTIVITY, 7, 'Export') },
  'data.imported': { category: 'data_access', targets: [ANY_SUBJECT], ocsf: ocsf(WEB_RESOURCES_ACTIVITY, 6, 'Import') },
  'data.sensitive.read': { category: 'data_access', targets: [ANY_SUBJECT], ocsf: ocsf(DATASTORE_ACTIVITY, 1, 'Read') },
  // Reading the tenant's own audit log needs no target: the tenant is the scope.
  'audit_log.read': { category: 'data_access', targets: [optional('subject', 'audit_log')], ocsf: ocsf(DATASTORE_ACTIVITY, 1, 'Read') },
  'audit_log.exported': {
    category: 'data_access',
    targets: [optional('subject', 'audit_log')],
    ocsf: ocsf(WEB_RESOURCES_ACTIVITY, 7, 'Export'),
  },
  // A read-only token for the console handed out by an admin: access to the log granted, so an event of the log.
  'audit_log.viewer_token.issued': {
    category: 'data_access',
    targets: [optional('subject', 'audit_log')],
    ocsf: ocsf(ACCOUNT_CHANGE, 1, 'Create'),
  },

  // AI use (OCSF 1.8.0 has no AI class): a model call is an API call; prompts and responses
  // travel as hashes in the detail, token counts in metadata.
  'ai.prompt.submitted': { category: 'ai_use', targets: [subject('ai_model')], ocsf: ocsf(API_ACTIVITY, 1, 'Create') },
  // In OCSF one API Activity event carries request and response; here the response is its own event.
  'ai.response.returned': { category: 'ai_use', targets: [subject('ai_model')], ocsf: ocsf(API_ACTIVITY, OTHER, 'Other') },
  // Retrieval is a query of a document store; it may return no document, so targets are optional.
  'ai.documents.retrieved': {
    category: 'ai_use',
    targets: [optional('subject', 'document')],
    ocsf: ocsf(DATASTORE_ACTIVITY, 4, 'Query'),
  },

  // log streams (reserved: only the service records them, for the changes made through its streams API)
  'stream.created': { category: 'administration', targets: [subject('stream')], ocsf: ocsf(ENTITY_MANAGEMENT, 1, 'Create') },
  'stream.changed': { category: 'administration', targets: [subject('stream')], ocsf: ocsf(ENTITY_MANAGEMENT, 3, 'Update') },
  'stream.paused': { category: 'administration', targets: [subject('stream')], ocsf: ocsf(ENTITY_MANAGEMENT, 12, 'Suspend') },
  'stream.resumed': { category: 'administration', targets: [subject('stream')], ocsf: ocsf(ENTITY_MANAGEMENT, 13, 'Resume') },
  'stream.replayed': { category: 'administration', targets: [subject('stream')], ocsf: ocsf(ENTITY_MANAGEMENT, OTHER, 'Other') },
  'stream.tested': { category: 'administration', targets: [subject('stream')], ocsf: ocsf(ENTITY_MANAGEMENT, OTHER, 'Other') },
  'stream.deleted': { category: 'administration', targets: [subject('stream')], ocsf: ocsf(ENTITY_MANAGEMENT, 4, 'Delete') },
  // A stream spent its attempts on one batch and keeps retrying it: the alert rule stream-failing raises on it.
  'stream.failing': { category: 'administration', targets: [subject('stream')], ocsf: ocsf(ENTITY_MANAGEMENT, OTHER, 'Other') },
  // alerts (libs/alerts): what the alert engine raised and what people did with it, recorded by the service
  // itself. The alert is the managed entity; OCSF's Detection Finding (category 2) is left to an exporter.
  'alert.raised': { category: 'alert', targets: [subject('alert')], ocsf: ocsf(ENTITY_MANAGEMENT, 1, 'Create') },
  'alert.acknowledged': { category: 'alert', targets: [subject('alert')], ocsf: ocsf(ENTITY_MANAGEMENT, 3, 'Update') },
  'alert.closed': { category: 'alert', targets: [subject('alert')], ocsf: ocsf(ENTITY_MANAGEMENT, 3, 'Update') },
  'alert.rules.changed': { category: 'alert', targets: [subject('alert_rules')], ocsf: ocsf(ENTITY_MANAGEMENT, 3, 'Update') },
} as const satisfies Record<string, ActionDefinition>;

export type Action = keyof typeof ACTIONS;

/** Every action name, in vocabulary order (for the schema's enum and the OpenAPI document). */
export const ACTION_NAMES = Object.keys(ACTIONS) as [Action, ...Action[]];

export function isAction(action: string): action is Action {
  return Object.hasOwn(ACTIONS, action);
}

export function actionDefinition(action: string): ActionDefinition | undefined {
  return isAction(action) ? ACTIONS[action] : undefined;
}

interface TargetLike {
  readonly type: string;
  readonly id: string;
}

function accepts(expectation: TargetExpectation, target: TargetLike): boolean {
  return expectation.types === 'any' || expectation.types.includes(target.type);
}

function describe(expectation: TargetExpectation): string {
  if (expectation.types === 'any') return 'a target';
  const names = expectation.types.map((type) => JSON.stringify(type));
  const list = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} or ${names.at(-1)!}`;
  return `a target of type ${list}`;
}

/**
 * Checks targets against the action's expectations (rules at the top of this file).
 * Throws InvalidEventError naming `<pathPrefix>.targets` or `<pathPrefix>.targets[0]`.
 */
export function checkTargets(action: Action, targets: readonly TargetLike[], pathPrefix = ''): void {
  const field = (suffix: string) => (pathPrefix === '' ? suffix : `${pathPrefix}.${suffix}`);
  const expectations = ACTIONS[action].targets;
  const used = new Set<number>();
  expectations.forEach((expectation, position) => {
    if (!expectation.required) return;
    if (position === 0) {
      const first = targets[0];
      if (first === undefined) {
        throw new InvalidEventError(field('targets'), `${action} needs ${describe(expectation)} as ${field('targets[0]')}, its subject`);
      }
      if (!accepts(expectation, first)) {
        throw new InvalidEventError(
          field('targets[0]'),
          `${field('targets[0]')} is the subject of ${action} and must be ${describe(expectation)}, not ${JSON.stringify(first.type)}`,
        );
      }
      used.add(0);
      return;
    }
    const index = targets.findIndex((target, i) => !used.has(i) && accepts(expectation, target));
    if (index < 0) {
      throw new InvalidEventError(field('targets'), `${action} needs ${describe(expectation)} (the ${expectation.name}) in ${field('targets')}`);
    }
    used.add(index);
  });
}

/**
 * Reserved actions (DESIGN.md "The operating half"): what the service itself decided or did, an alert raised, a
 * stream or retention policy changed, a hold, an erasure, a read of the log. The log proves what the service did
 * only if nobody else can write these, so client ingest (HTTP and the CommandBus commands) refuses them, and
 * only EventRecorder.recordForService, which no request body reaches, records them. A family reserves every
 * action under its prefix, including actions the vocabulary does not list yet.
 */
export const RESERVED_ACTION_FAMILIES = ['alert', 'stream', 'retention', 'hold', 'audit_log'] as const;
export const RESERVED_ACTIONS = ['data.erased'] as const;

export function isReservedAction(action: string): boolean {
  return (RESERVED_ACTIONS as readonly string[]).includes(action) || RESERVED_ACTION_FAMILIES.some((family) => action.startsWith(`${family}.`));
}
