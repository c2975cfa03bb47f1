import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { InvalidRuleSettingsError, type RuleOverrides } from '@trailmark/alerts';
import { tenantAllowed } from '@trailmark/domain';
import { alertSettingsOf, alertsCaughtUp, changeAlertRules, checkAlertOverrides } from '../core/alert-actions.js';
import { LedgerCore } from '../core/ledger-core.js';
import { ApiError } from './api-error.js';
import { requireAlerts } from './require-alerts.js';
import type { Principal } from './auth/credentials.js';
import { CurrentPrincipal } from './auth/principal.decorator.js';
import { RequiresRole } from './auth/requires-role.decorator.js';

@Controller('v1/tenants')
export class AlertRulesController {
  constructor(private readonly core: LedgerCore) {}

  /** The tenant's complete rule settings (defaults where it set nothing), its own overrides, and who set them. */
  @Get(':tenant/alert-rules')
  @RequiresRole('reader', 'auditor')
  async get(@Param('tenant') tenant: string, @CurrentPrincipal() principal: Principal): Promise<object> {
    this.allow(tenant, principal);
    await alertsCaughtUp(this.core);
    return this.view(tenant);
  }

  /**
   * Replaces the tenant's overrides with `{"rules": {"<rule>": {<setting>: value}}}`: a rule or setting left out
   * is the default again. Recorded as `alert.rules.changed`; applies to the events after that one.
   */
  @Put(':tenant/alert-rules')
  @RequiresRole('admin')
  async put(@Param('tenant') tenant: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<object> {
    this.allow(tenant, principal);
    const rules = (body as { rules?: unknown } | null)?.rules;
    if (typeof body !== 'object' || body === null || Array.isArray(body) || Object.keys(body).some((key) => key !== 'rules')) {
      throw new ApiError(400, 'bad_request', 'the body is {"rules": {"<rule>": {"<setting>": value}}}', { field: 'rules' });
    }
    let overrides: RuleOverrides;
    try {
      overrides = checkAlertOverrides(rules ?? {});
    } catch (error) {
      if (error instanceof InvalidRuleSettingsError) throw new ApiError(400, 'bad_request', error.message, { field: `rules.${error.field}` });
      throw error;
    }
    await changeAlertRules(this.core, tenant, { type: 'api_key', id: principal.name }, overrides);
    return this.view(tenant);
  }

  private allow(tenant: string, principal: Principal): void {
    requireAlerts(this.core);
    if (!tenantAllowed(principal.tenants, tenant)) {
      throw new ApiError(403, 'forbidden', `the token "${principal.name}" may not read tenant "${tenant}"`, { parameter: 'tenant' });
    }
  }

  private view(tenant: string): object {
    const stored = this.core.alertStore.rules(tenant);
    return { tenant, rules: alertSettingsOf(this.core, tenant), overrides: stored?.overrides ?? {}, changed: stored?.changed ?? null };
  }
}
