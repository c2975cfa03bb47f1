import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { LedgerMetrics } from './ledger-metrics.js';
import { Public } from '../auth/requires-role.decorator.js';

/** Prometheus scrape endpoint (text exposition format). No credentials, like the log's public endpoints. */
@Public()
@Controller()
export class MetricsController {
  constructor(private readonly ledgerMetrics: LedgerMetrics) {}

  @Get('metrics')
  async metrics(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    void reply.header('content-type', this.ledgerMetrics.registry.contentType).header('cache-control', 'no-store');
    return this.ledgerMetrics.registry.metrics();
  }
}
