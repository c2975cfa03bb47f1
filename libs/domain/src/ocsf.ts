import type { DetailDocument, Envelope } from './envelope.js';
import type { Target } from './schema.js';
import { ACTIONS, type OcsfClassification } from './vocabulary.js';

/**
 * Export of a recorded event as an OCSF 1.8.0 event (github.com/ocsf/ocsf-schema, tag-less release
 * commit "v1.8.0 prep": events/base_event.json, events/iam/*.json, events/application/*.json,
 * objects/*.json, dictionary.json). A pure function of the stored event: no I/O, no clock, so an
 * export can be redone at any time and gives the same document.
 *
 * Rules followed (quoted or paraphrased from the schema):
 * - base_event requires activity_id, category_uid, class_uid, metadata, severity_id, time, type_uid;
 *   metadata requires product and version. Every event here has them.
 * - type_uid "is calculated by the logging system as: class_uid * 100 + activity_id"; type_name is the
 *   caption of that type, "<class caption>: <activity caption>".
 * - class_uid = category_uid * 1000 + the class's uid in its category (IAM is 3, Application Activity 6).
 * - activity 99 is "Other": activity_name then names what happened "as defined by the source", here the
 *   Trailmark action (vocabulary.ts says so too); type_name keeps the caption "Other".
 * - time is timestamp_t: "the number of milliseconds since the Epoch 01/01/1970 00:00:00 UTC".
 * - status_id: 1 Success, 2 Failure, 99 Other ("defined by the event source": the status is then "Error").
 * - An enum sibling string (status, severity, user.type, entity.type...) is the caption of its id, or
 *   the source's own word when the id is 99 Other.
 * - Required class attributes with no data in the event get the schema's Unknown (id 0) where the
 *   attribute is an enum, and the name "Unknown" where the object only needs a name or a uid (the
 *   `_entity` constraint "at_least_one of name, uid"). Recommended attributes without data are omitted,
 *   never guessed.
 * - Attributes are only set where the class defines them: `user` is not an attribute of Entity
 *   Management or of the Application Activity classes, so it is not set there.
 */

export const OCSF_SCHEMA_VERSION = '1.8.0';

/** The product that produces the export (OCSF metadata.product). */
export interface OcsfProductInfo {
  readonly name: string;
  readonly version: string;
  readonly vendorName: string;
}

export interface OcsfExportOptions {
  /**
   * metadata.log_name: "the event log name, typically for the consumer of the event". The log whose
   * order metadata.sequence follows is the ledger's Merkle log, named by its checkpoint origin; pass it
   * here. Omitted (it is only recommended) when not given.
   */
  readonly logName?: string;
}

/** A stored event: its envelope (the leaf), its detail when not erased, and its place in the log. */
export interface OcsfEventSource {
  readonly envelope: Envelope;
  readonly detail?: DetailDocument | undefined;
  readonly leafIndex: bigint;
}

export interface OcsfProgrammaticCredential {
  readonly uid: string;
  readonly type: string;
}

export interface OcsfUser {
  readonly uid: string;
  readonly type_id: number;
  readonly type: string;
  readonly programmatic_credentials?: readonly OcsfProgrammaticCredential[];
}

export interface OcsfActor {
  readonly user: OcsfUser;
  readonly app_uid?: string;
  readonly session?: OcsfSession;
}

export interface OcsfSession {
  readonly uid: string;
}

export interface OcsfLocation {
  readonly country: string;
  readonly region?: string;
  readonly city?: string;
}

export interface OcsfNetworkEndpoint {
  readonly ip?: string;
  readonly name?: string;
  readonly location?: OcsfLocation;
}

export interface OcsfHttpRequest {
  readonly uid?: string;
  readonly user_agent?: string;
}

/** An object known by its uid and a type (resource_details, web_resource, group, service, table...). */
export interface OcsfNamedThing {
  readonly uid?: string;
  readonly name?: string;
  readonly type?: string;
}

export interface OcsfManagedEntity {
  readonly uid: string;
  readonly type_id: number;
  readonly type: string;
  readonly org?: { readonly uid: string };
  readonly policy?: { readonly uid: string };
  readonly data?: Record<string, unknown>;
}

export interface OcsfDatastoreObject extends OcsfNamedThing {
  readonly type_id?: number;
}

export interface OcsfMetadata {
  readonly product: { readonly name: string; readonly vendor_name: string; readonly version: string };
  readonly version: string;
  readonly uid: string;
  readonly original_event_uid: string;
  readonly tenant_uid: string;
  readonly sequence: number;
  readonly log_name?: string;
  readonly original_time?: string;
  readonly correlation_uid?: string;
  readonly profiles?: readonly string[];
}

export interface OcsfEvent {
  // classification
  readonly class_uid: number;
  readonly class_name: string;
  readonly category_uid: number;
  readonly category_name: string;
  readonly activity_id: number;
  readonly activity_name: string;
  readonly type_uid: number;
  readonly type_name: string;
  readonly severity_id: number;
  readonly severity: string;
  // occurrence
  readonly time: number;
  readonly timezone_offset: number;
  // primary / context, common
  readonly status_id: number;
  readonly status: string;
  readonly status_detail?: string;
  readonly message: string;
  readonly metadata: OcsfMetadata;
  readonly actor: OcsfActor;
  readonly src_endpoint?: OcsfNetworkEndpoint;
  readonly http_request?: OcsfHttpRequest;
  // class specific
  readonly user?: OcsfUser;
  readonly session?: OcsfSession;
  readonly service?: OcsfNamedThing;
  readonly auth_protocol_id?: number;
  readonly auth_protocol?: string;
  readonly is_mfa?: boolean;
  readonly privileges?: readonly string[];
  readonly group?: OcsfNamedThing;
  readonly resource?: OcsfNamedThing;
  readonly resources?: readonly OcsfNamedThing[];
  readonly entity?: OcsfManagedEntity;
  readonly entity_result?: OcsfManagedEntity;
  readonly web_resources?: readonly OcsfNamedThing[];
  readonly api?: { readonly operation: string; readonly request?: { readonly uid: string } };
  readonly database?: OcsfDatastoreObject;
  readonly databucket?: OcsfDatastoreObject;
  readonly table?: OcsfNamedThing;
  /** Datastore Activity's "Datastore Type ID": 1 Database, 2 Databucket, 3 Table. */
  readonly type_id?: number;
  readonly type?: string;
  // Security Control profile (permission.denied)
  readonly action_id?: number;
  readonly action?: string;
  readonly disposition_id?: number;
  readonly disposition?: string;
  /** Trailmark data the class has no attribute for ("attributes that are not mapped to the event schema"). */
  readonly unmapped?: { readonly auth_method?: string; readonly targets?: readonly Target[] };
}

const OTHER = 99;
const UNKNOWN = 'Unknown';

const CATEGORY_NAMES: Record<number, string> = { 3: 'Identity & Access Management', 6: 'Application Activity' };

/** base_event severity_id captions. */
const SEVERITY = { informational: { id: 1, name: 'Informational' }, low: { id: 2, name: 'Low' }, medium: { id: 3, name: 'Medium' } };

/** base_event status_id: 1 Success, 2 Failure, 99 Other (an "error" outcome is neither). */
const STATUS = { success: { id: 1, name: 'Success' }, failure: { id: 2, name: 'Failure' }, error: { id: OTHER, name: 'Error' } } as const;

// Class ids this file gives class-specific attributes to.
const ACCOUNT_CHANGE = 3001;
const AUTHENTICATION = 3002;
const AUTHORIZE_SESSION = 3003;
const ENTITY_MANAGEMENT = 3004;
const USER_ACCESS_MANAGEMENT = 3005;
const GROUP_MANAGEMENT = 3006;
const WEB_RESOURCES_ACTIVITY = 6001;
const API_ACTIVITY = 6003;
const DATASTORE_ACTIVITY = 6005;

/**
 * The OCSF class and activity of one event: the vocabulary's, except that privileges given to or taken
 * from a group are Group Management (3006), not User Access Management (3005), whose required `user` is
 * "the user to which privileges were assigned". Both classes number Assign Privileges 1 and Revoke
 * Privileges 2, so only the class changes. The vocabulary classifies an action; the subject's type is
 * only known per event, hence this refinement lives here.
 */
export function ocsfClassificationOf(envelope: Pick<Envelope, 'action' | 'targets'>): OcsfClassification {
  const classification = ACTIONS[envelope.action].ocsf;
  if (classification.classUid === USER_ACCESS_MANAGEMENT && envelope.targets[0]?.type === 'group') {
    return { ...classification, classUid: GROUP_MANAGEMENT, className: 'Group Management' };
  }
  return classification;
}

/**
 * severity_id, a documented rule ("the effort and expense required to manage and resolve an event"):
 * - 3 Medium: a failed authentication-category action (login, MFA, password, session, API key use: the
 *   signal of credential attacks), and every permission.denied (an authorization denial, whatever the
 *   outcome the client reported for recording it);
 * - 1 Informational: any other success;
 * - 2 Low: any other failure, and every "error" outcome (something broke; no attack signal in itself).
 */
export function ocsfSeverityOf(envelope: Pick<Envelope, 'action' | 'outcome'>): { id: number; name: string } {
  if (envelope.action === 'permission.denied') return SEVERITY.medium;
  if (envelope.outcome === 'success') return SEVERITY.informational;
  if (envelope.outcome === 'failure' && ACTIONS[envelope.action].category === 'authentication') return SEVERITY.medium;
  return SEVERITY.low;
}

const SERVER_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/**
 * Server time (RFC 3339 UTC with microseconds) → epoch milliseconds. The microseconds are truncated,
 * not rounded, so an event never lands in a later millisecond than the one it happened in; the first 23
 * characters plus "Z" are exactly ECMAScript's Date Time String Format, whose parsing is specified.
 */
export function epochMillisOf(serverTime: string): number {
  if (!SERVER_TIME.test(serverTime)) throw new TypeError(`server time ${JSON.stringify(serverTime)} is not RFC 3339 UTC with microseconds`);
  const millis = Date.parse(`${serverTime.slice(0, 23)}Z`);
  if (Number.isNaN(millis)) throw new TypeError(`server time ${JSON.stringify(serverTime)} is not a valid date`);
  return millis;
}

/**
 * A Trailmark principal (actor, or a target that is a principal) as an OCSF user object. user.type_id:
 * 1 User, 3 System, 4 Service, 99 Other; `type` is the caption, or the Trailmark type for Other.
 * An API key is a credential, not a principal: its owner is not in the event, so the key stands for it
 * (type_id 99, type "api_key") and is also named as the user's programmatic credential, the 1.8.0 object
 * for "API keys, service account keys, client certificates".
 */
function principal(type: string, id: string): OcsfUser {
  switch (type) {
    case 'user':
      return { uid: id, type_id: 1, type: 'User' };
    case 'system':
      return { uid: id, type_id: 3, type: 'System' };
    case 'service':
      return { uid: id, type_id: 4, type: 'Service' };
    case 'api_key':
      return { uid: id, type_id: OTHER, type, programmatic_credentials: [{ uid: id, type: 'API Key' }] };
    default:
      return { uid: id, type_id: OTHER, type };
  }
}

/**
 * actor: "the user/role/process that was the source of the activity"; it needs at least one of process,
 * user, session, app_name, app_uid. Every kind of Trailmark actor becomes actor.user (see principal), so
 * rules can key on actor.user.uid whatever the kind; a service is also the client application that
 * initiated the activity, actor.app_uid.
 */
function actorOf(envelope: Envelope): OcsfActor {
  const { type, id } = envelope.actor;
  return { user: principal(type, id), ...(type === 'service' && { app_uid: id }) };
}

/** auth_protocol_id captions, keyed by the authMethod spellings that name exactly that protocol. */
const AUTH_PROTOCOLS: Record<string, { id: number; name: string }> = {
  ntlm: { id: 1, name: 'NTLM' },
  kerberos: { id: 2, name: 'Kerberos' },
  digest: { id: 3, name: 'Digest' },
  openid: { id: 4, name: 'OpenID' },
  oidc: { id: 4, name: 'OpenID' },
  saml: { id: 5, name: 'SAML' },
  oauth: { id: 6, name: 'OAUTH 2.0' },
  oauth2: { id: 6, name: 'OAUTH 2.0' },
  pap: { id: 7, name: 'PAP' },
  chap: { id: 8, name: 'CHAP' },
  eap: { id: 9, name: 'EAP' },
  radius: { id: 10, name: 'RADIUS' },
  basic: { id: 11, name: 'Basic Authentication' },
  ldap: { id: 12, name: 'LDAP' },
};

function authProtocolOf(authMethod: string | undefined): { id: number; name: string } | undefined {
  if (authMethod === undefined) return undefined;
  const key = authMethod.toLowerCase().replace(/[-_.\s]/g, '');
  return Object.hasOwn(AUTH_PROTOCOLS, key) ? AUTH_PROTOCOLS[key] : undefined;
}

/** managed_entity.type_id for the Trailmark target types that name one of its kinds; else 99 Other. */
const ENTITY_TYPES: Record<string, { id: number; name: string }> = {
  device: { id: 1, name: 'Device' },
  user: { id: 2, name: 'User' },
  group: { id: 3, name: 'Group' },
  org: { id: 4, name: 'Organization' },
  policy: { id: 5, name: 'Policy' },
};

function managedEntity(target: Target, data: Record<string, unknown> | undefined): OcsfManagedEntity {
  const known = Object.hasOwn(ENTITY_TYPES, target.type) ? ENTITY_TYPES[target.type] : undefined;
  return {
    uid: target.id,
    type_id: known?.id ?? OTHER,
    type: known?.name ?? target.type,
    // "uid should match the uid of the specific entity's object if populated".
    ...(target.type === 'org' && { org: { uid: target.id } }),
    ...(target.type === 'policy' && { policy: { uid: target.id } }),
    ...(data !== undefined && { data }),
  };
}

function thing(target: Target): OcsfNamedThing {
  return { uid: target.id, type: target.type };
}

/**
 * The scope of audit_log.read / audit_log.exported when the client names no audit_log target: the
 * tenant's own audit log (vocabulary.ts: "the tenant is the scope").
 */
function tenantAuditLog(envelope: Envelope): Target {
  return { type: 'audit_log', id: envelope.tenant };
}

/**
 * OAuth scopes given to the session, when the client put them in metadata as `scope` (the RFC 6749
 * §3.3 space-delimited string) or `scopes` (an array of strings). Nothing else is read as a scope.
 */
function scopesOf(detail: DetailDocument | undefined): string[] | undefined {
  const metadata = detail?.metadata;
  if (metadata === undefined) return undefined;
  const { scope, scopes } = metadata;
  if (Array.isArray(scopes) && scopes.every((s): s is string => typeof s === 'string')) return scopes;
  if (typeof scope === 'string') return scope.split(' ').filter((s) => s !== '');
  return undefined;
}

interface ClassAttributes {
  readonly attributes: Partial<OcsfEvent>;
  /** Indexes of the targets the attributes carry; the others go to unmapped.targets. */
  readonly used: ReadonlySet<number>;
}

const ALL = (targets: readonly Target[]) => new Set(targets.map((_, i) => i));
const SUBJECT_ONLY = (targets: readonly Target[]) => new Set(targets.length > 0 ? [0] : []);

/** The required principal of an IAM class: the subject (DESIGN.md: the first target, else the actor). */
function subjectUser(envelope: Envelope): OcsfUser {
  const first = envelope.targets[0];
  return first ? principal(first.type, first.id) : principal(envelope.actor.type, envelope.actor.id);
}

function classAttributes(classUid: number, envelope: Envelope, detail: DetailDocument | undefined): ClassAttributes {
  const { targets } = envelope;
  const context = detail?.context;
  switch (classUid) {
    // Account Change: user (required) "the user that was a target of an activity".
    case ACCOUNT_CHANGE:
      return { attributes: { user: subjectUser(envelope) }, used: SUBJECT_ONLY(targets) };

    // Authentication: user (required) "the subject (user/role or account) to authenticate"; constraint
    // at_least_one of service, dst_endpoint. The service logged on to is a further target of type service
    // or application when the client names one; otherwise it is not in the event: "Unknown".
    // auth_protocol only when authMethod names a protocol of the enum (logon_type is never derivable).
    case AUTHENTICATION: {
      const serviceIndex = targets.findIndex((t, i) => i > 0 && (t.type === 'service' || t.type === 'application'));
      const protocol = authProtocolOf(envelope.actor.authMethod);
      const mfa = envelope.action === 'user.mfa.verified' || envelope.actor.authMethod?.toLowerCase() === 'mfa';
      const used = SUBJECT_ONLY(targets);
      if (serviceIndex > 0) used.add(serviceIndex);
      return {
        attributes: {
          user: subjectUser(envelope),
          service: serviceIndex > 0 ? { uid: targets[serviceIndex]!.id } : { name: UNKNOWN },
          ...(protocol && { auth_protocol_id: protocol.id, auth_protocol: protocol.name }),
          ...(mfa && { is_mfa: true }),
          ...(context?.sessionId !== undefined && { session: { uid: context.sessionId } }),
        },
        used,
      };
    }

    // Authorize Session: user (required) "the user to which new privileges were assigned"; constraint
    // just_one of privileges, group: the token's scopes are its privileges ([] when not given).
    case AUTHORIZE_SESSION:
      return {
        attributes: {
          user: subjectUser(envelope),
          privileges: scopesOf(detail) ?? [],
          ...(context?.sessionId !== undefined && { session: { uid: context.sessionId } }),
        },
        used: SUBJECT_ONLY(targets),
      };

    // Entity Management: entity (required) "the managed entity that is being acted upon";
    // entity_result (recommended) the entity after the change, when the client sent changes.
    case ENTITY_MANAGEMENT: {
      const subject = targets[0] ?? { type: envelope.actor.type, id: envelope.actor.id };
      const changes = detail?.changes;
      return {
        attributes: {
          entity: managedEntity(subject, changes?.before),
          ...(changes?.after !== undefined && { entity_result: managedEntity(subject, changes.after) }),
        },
        used: SUBJECT_ONLY(targets),
      };
    }

    // User Access Management: user and privileges (required), resources (recommended; `resource` is
    // deprecated since 1.5.0) "that the privileges give access to". Group Management: group (required),
    // privileges and resource (recommended). Privileges are the roles or permissions named by the
    // targets after the subject ([] when none); the remaining targets are what they give access to.
    case USER_ACCESS_MANAGEMENT:
    case GROUP_MANAGEMENT: {
      const privilegeIndexes = targets.flatMap((t, i) => (i > 0 && (t.type === 'role' || t.type === 'permission') ? [i] : []));
      const privileges = privilegeIndexes.map((i) => targets[i]!.id);
      const rest = targets.flatMap((t, i) => (i > 0 && !privilegeIndexes.includes(i) ? [i] : []));
      const used = new Set([...SUBJECT_ONLY(targets), ...privilegeIndexes]);
      if (classUid === USER_ACCESS_MANAGEMENT) {
        rest.forEach((i) => used.add(i));
        const resources = rest.map((i) => thing(targets[i]!));
        return { attributes: { user: subjectUser(envelope), privileges, ...(resources.length > 0 && { resources }) }, used };
      }
      const resourceIndex = rest[0];
      if (resourceIndex !== undefined) used.add(resourceIndex);
      return {
        attributes: {
          group: { uid: targets[0]!.id },
          privileges,
          ...(resourceIndex !== undefined && { resource: thing(targets[resourceIndex]!) }),
        },
        used,
      };
    }

    // Web Resources Activity: web_resources (required) "web resources that were affected".
    case WEB_RESOURCES_ACTIVITY: {
      const affected = targets.length > 0 ? targets : [tenantAuditLog(envelope)];
      return { attributes: { web_resources: affected.map(thing) }, used: ALL(targets) };
    }

    // API Activity: api (required) with operation (required) "verb/operation associated with the
    // request": the Trailmark action; resources (recommended) "affected by the activity".
    case API_ACTIVITY:
      return {
        attributes: {
          api: { operation: envelope.action, ...(context?.requestId !== undefined && { request: { uid: context.requestId } }) },
          ...(targets.length > 0 && { resources: targets.map(thing) }),
        },
        used: ALL(targets),
      };

    // Datastore Activity: constraint at_least_one of database, databucket, table. The store is the first
    // target that is not a document (documents are records of a store, not stores; they go to unmapped),
    // else the tenant's audit log for audit_log.*, else not in the event: database "Unknown".
    // database.type_id and databucket.type_id are required: 0 Unknown when the target says no more than
    // "database"/"bucket", 99 Other (type = the Trailmark type) when it is another kind of store.
    case DATASTORE_ACTIVITY: {
      const index = targets.findIndex((t) => t.type !== 'document');
      const store = index >= 0 ? targets[index] : envelope.action.startsWith('audit_log.') ? tenantAuditLog(envelope) : undefined;
      const used = new Set(index >= 0 ? [index] : []);
      if (store === undefined) return { attributes: { type_id: 1, type: 'Database', database: { name: UNKNOWN, type_id: 0 } }, used };
      if (store.type === 'table') return { attributes: { type_id: 3, type: 'Table', table: { uid: store.id } }, used };
      if (store.type === 'bucket' || store.type === 'databucket') {
        return { attributes: { type_id: 2, type: 'Databucket', databucket: { uid: store.id, type_id: 0 } }, used };
      }
      const database = store.type === 'database' ? { uid: store.id, type_id: 0 } : { uid: store.id, type_id: OTHER, type: store.type };
      return { attributes: { type_id: 1, type: 'Database', database }, used };
    }

    default:
      throw new Error(`no OCSF attributes for class ${classUid}`);
  }
}

/** Classes whose src_endpoint is required (API Activity, Datastore Activity); recommended elsewhere. */
const SRC_ENDPOINT_REQUIRED = new Set([API_ACTIVITY, DATASTORE_ACTIVITY]);

/**
 * src_endpoint from the detail's context. network_endpoint needs at least one of ip, uid, name, hostname...:
 * without an ip, a required (or located) endpoint is named "Unknown".
 */
function srcEndpointOf(classUid: number, context: DetailDocument['context']): OcsfNetworkEndpoint | undefined {
  const geo = context?.geo;
  const location = geo && {
    country: geo.country,
    ...(geo.region !== undefined && { region: geo.region }),
    ...(geo.city !== undefined && { city: geo.city }),
  };
  if (context?.ip === undefined && location === undefined && !SRC_ENDPOINT_REQUIRED.has(classUid)) return undefined;
  return { ...(context?.ip !== undefined ? { ip: context.ip } : { name: UNKNOWN }), ...(location && { location }) };
}

/**
 * The OCSF 1.8.0 event of a stored Trailmark event. `leafIndex` becomes metadata.sequence ("to make the
 * exact ordering of events unambiguous, regardless of the event time precision"): the log's order is
 * the order that matters, and server time has more precision than OCSF's milliseconds.
 */
export function toOcsfEvent(event: OcsfEventSource, product: OcsfProductInfo, options: OcsfExportOptions = {}): OcsfEvent {
  const { envelope, detail, leafIndex } = event;
  if (leafIndex < 0n || leafIndex > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`leaf index ${leafIndex} cannot be an OCSF sequence`);
  }

  const classification = ocsfClassificationOf(envelope);
  const { classUid, className, activityId } = classification;
  const categoryUid = Math.floor(classUid / 1000);
  const categoryName = CATEGORY_NAMES[categoryUid];
  if (categoryName === undefined) throw new Error(`OCSF category ${categoryUid} of class ${classUid} is not mapped`);
  const activityCaption = activityId === OTHER ? 'Other' : classification.activityName;
  const severity = ocsfSeverityOf(envelope);
  const status = STATUS[envelope.outcome];
  const context = detail?.context;

  const { attributes, used } = classAttributes(classUid, envelope, detail);
  const securityControl = envelope.action === 'permission.denied';
  // Web Resources Activity defines no `actor`: it has one only through the Host profile (base_event
  // includes profiles/host.json: actor optional, device recommended), which the event must then declare.
  const profiles = [...(classUid === WEB_RESOURCES_ACTIVITY ? ['host'] : []), ...(securityControl ? ['security_control'] : [])];
  const unmappedTargets = envelope.targets.filter((_, i) => !used.has(i));
  const authMethod = envelope.actor.authMethod;
  const authMethodMapped = attributes.auth_protocol_id !== undefined;
  const unmapped = {
    ...(authMethod !== undefined && !authMethodMapped && { auth_method: authMethod }),
    ...(unmappedTargets.length > 0 && { targets: unmappedTargets.map(({ type, id }) => ({ type, id })) }),
  };

  const srcEndpoint = srcEndpointOf(classUid, context);
  const httpRequest = {
    ...(context?.requestId !== undefined && { uid: context.requestId }),
    ...(context?.userAgent !== undefined && { user_agent: context.userAgent }),
  };
  // Authentication and Authorize Session carry the session as their own attribute; elsewhere it is
  // the session the actor acted from.
  const actor = actorOf(envelope);
  const actorSession = context?.sessionId !== undefined && attributes.session === undefined ? { session: { uid: context.sessionId } } : {};

  return {
    class_uid: classUid,
    class_name: className,
    category_uid: categoryUid,
    category_name: categoryName,
    activity_id: activityId,
    activity_name: activityId === OTHER ? envelope.action : classification.activityName,
    type_uid: classUid * 100 + activityId,
    type_name: `${className}: ${activityCaption}`,
    severity_id: severity.id,
    severity: severity.name,
    time: epochMillisOf(envelope.time),
    // The server stamps time in UTC.
    timezone_offset: 0,
    status_id: status.id,
    status: status.name,
    ...(envelope.reason !== undefined && { status_detail: envelope.reason }),
    message: `${envelope.action} ${envelope.outcome}${envelope.reason !== undefined ? `: ${envelope.reason}` : ''}`,
    metadata: {
      product: { name: product.name, vendor_name: product.vendorName, version: product.version },
      version: OCSF_SCHEMA_VERSION,
      // One OCSF event per Trailmark event, so the event id serves as both ids.
      uid: envelope.id,
      original_event_uid: envelope.id,
      tenant_uid: envelope.tenant,
      sequence: Number(leafIndex),
      ...(options.logName !== undefined && { log_name: options.logName }),
      // "The original event time as reported by the event source": the client's own, untrusted time.
      ...(detail?.occurredAt !== undefined && { original_time: detail.occurredAt }),
      ...(context?.correlationId !== undefined && { correlation_uid: context.correlationId }),
      ...(profiles.length > 0 && { profiles }),
    },
    actor: { ...actor, ...actorSession },
    ...(srcEndpoint && { src_endpoint: srcEndpoint }),
    ...(Object.keys(httpRequest).length > 0 && { http_request: httpRequest }),
    ...attributes,
    // Security Control profile: the access was refused by an authorization check. action_id 2 "Denied";
    // disposition_id 26 "Unauthorized": "denied due to an authorization check that failed".
    ...(securityControl && { action_id: 2, action: 'Denied', disposition_id: 26, disposition: 'Unauthorized' }),
    ...(Object.keys(unmapped).length > 0 && { unmapped }),
  };
}
