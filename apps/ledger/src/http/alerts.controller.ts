import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ALERT_STATUSES, OPERATOR_CHANNEL, SEVERITIES, type AlertRecord, type AlertStatus } from '@trailmark/alerts';
import { RecordRead, tenantAllowed } from '@trailmark/domain';
import { alertsCaughtUp, decideAlert } from '../core/alert-actions.js';
import { LedgerCore } from '../core/ledger-core.js';
import { ApiError } from './api-error.js';
import { requireAlerts } from './require-alerts.js';
import { alertView } from './alert-view.js';
import type { Principal } from './auth/credentials.js';
import { CurrentPrincipal } from './auth/principal.decorator.js';
import { RequiresRole } from './auth/requires-role.decorator.js';
import { parseTime } from './event-query.js';
import { parseCount, singleValue } from './json.js';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
const MAX_NOTE = 1024;

/** A tenant's alerts for its tokens; the operator's channel (integrity alerts) for tokens of every tenant only. */
const mayRead = (principal: Principal, tenant: string) =>
  tenant === OPERATOR_CHANNEL ? principal.tenants === '*' : tenantAllowed(principal.tenants, tenant);

type AlertQuery = Partial<Record<'tenant' | 'rule' | 'severity' | 'status' | 'from' | 'to' | 'cursor' | 'limit', unknown>>;

@Controller('v1/alerts')
export class AlertsController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly core: LedgerCore,
  ) {}

  /** Alerts in the order they were raised; `cursor` = the previous page's `next`. Recorded as `audit_log.read`. */
  @Get()
  @RequiresRole('reader', 'auditor')
  async list(@Query() query: AlertQuery, @CurrentPrincipal() principal: Principal): Promise<object> {
    requireAlerts(this.core);
    const tenant = singleValue(query.tenant, 'tenant');
    if (tenant === undefined && principal.tenants !== '*') {
      throw new ApiError(400, 'bad_request', 'tenant is required for a token scoped to tenants', { parameter: 'tenant' });
    }
    if (tenant !== undefined && !mayRead(principal, tenant)) {
      throw new ApiError(403, 'forbidden', `the token "${principal.name}" may not read tenant "${tenant}"`, { parameter: 'tenant' });
    }
    const rule = singleValue(query.rule, 'rule');
    const severity = oneOf(query.severity, 'severity', SEVERITIES);
    const status = oneOf(query.status, 'status', ALERT_STATUSES) as AlertStatus | undefined;
    const from = parseTime(query.from, 'from');
    const to = parseTime(query.to, 'to');
    const limit = Number(parseCount(query.limit, 'limit') ?? BigInt(DEFAULT_LIMIT));
    if (limit < 1 || limit > MAX_LIMIT) throw new ApiError(400, 'bad_request', `limit must be from 1 to ${MAX_LIMIT}`, { parameter: 'limit' });
    const cursor = parseCount(query.cursor, 'cursor');
    await alertsCaughtUp(this.core);
    const alerts = this.core.alertStore.list({
      tenants: tenant === undefined ? '*' : [tenant],
      ...(rule !== undefined && { rule }),
      ...(severity !== undefined && { severity }),
      ...(status !== undefined && { status }),
      ...(from !== undefined && { from }),
      ...(to !== undefined && { to }),
      ...(cursor !== undefined && { after: Number(cursor) }),
      limit,
    });
    const tenants = tenant === undefined ? [...new Set(alerts.map((alert) => alert.tenant))] : [tenant];
    const recorded = Object.fromEntries(Object.entries(query).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
    await this.commandBus.execute(new RecordRead(principal.name, 'audit_log.read', tenants, { endpoint: 'GET /v1/alerts', query: recorded }));
    return { alerts: alerts.map(alertView), next: alerts.length === limit ? alerts.at(-1)!.seq : null };
  }

  /** One alert with its evidence events (envelopes and leaf indexes). Another tenant's alert is a 404. */
  @Get(':id')
  @RequiresRole('reader', 'auditor')
  async get(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<object> {
    requireAlerts(this.core);
    await alertsCaughtUp(this.core);
    const alert = this.visible(id, principal);
    const evidence = await Promise.all(
      alert.evidence.map(async ({ id: eventId, leafIndex }) => {
        const leaf = this.core.index.leafAt(BigInt(leafIndex));
        const event = leaf && (await this.core.recorder.readLeaf(leaf));
        return { id: eventId, leafIndex, event: event ? (JSON.parse(new TextDecoder().decode(event.data)) as unknown) : null };
      }),
    );
    await this.commandBus.execute(new RecordRead(principal.name, 'audit_log.read', [alert.tenant], { endpoint: 'GET /v1/alerts/{id}', query: { id } }));
    return { ...alertView(alert), evidence };
  }

  @Post(':id/ack')
  @HttpCode(200)
  @RequiresRole('admin')
  acknowledge(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<object> {
    return this.decide('alert.acknowledged', id, body, principal);
  }

  @Post(':id/close')
  @HttpCode(200)
  @RequiresRole('admin')
  close(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<object> {
    return this.decide('alert.closed', id, body, principal);
  }

  private async decide(action: 'alert.acknowledged' | 'alert.closed', id: string, body: unknown, principal: Principal): Promise<object> {
    requireAlerts(this.core);
    const note = parseNote(body);
    await alertsCaughtUp(this.core);
    const alert = this.visible(id, principal);
    if (alert.status === 'closed') throw new ApiError(409, 'alert_closed', `alert ${id} is closed already`, { id });
    const decided = await decideAlert(this.core, action, alert, { type: 'api_key', id: principal.name }, note);
    return alertView(decided);
  }

  /** The alert, if it exists in a tenant the token may read: otherwise 404, so ids of other tenants tell nothing. */
  private visible(id: string, principal: Principal): AlertRecord {
    const alert = this.core.alertStore.get(id);
    if (!alert || !mayRead(principal, alert.tenant)) throw new ApiError(404, 'not_found', `no alert ${id}`, { id });
    return alert;
  }
}

function oneOf(raw: unknown, name: string, values: readonly string[]): string | undefined {
  const value = singleValue(raw, name);
  if (value !== undefined && !values.includes(value)) {
    throw new ApiError(400, 'bad_request', `${name} must be one of ${values.join(', ')}`, { parameter: name });
  }
  return value;
}

/** `{}`, no body, or `{"note": "..."}`. */
function parseNote(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body !== 'object' || Array.isArray(body)) throw new ApiError(400, 'bad_request', 'the body is {"note": "..."}', { field: 'note' });
  const extra = Object.keys(body).find((key) => key !== 'note');
  if (extra !== undefined) throw new ApiError(400, 'bad_request', `unknown field "${extra}"`, { field: extra });
  const { note } = body as { note?: unknown };
  if (note === undefined) return undefined;
  if (typeof note !== 'string' || note.length === 0 || note.length > MAX_NOTE || /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(note)) {
    throw new ApiError(400, 'bad_request', `note must be text of 1 to ${MAX_NOTE} characters`, { field: 'note' });
  }
  return note;
}
