import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { OpenApiController } from './openapi.controller.js';
import { OpenApiService } from './openapi.service.js';
import { RouteExplorer } from './route-explorer.js';

/** GET /openapi.json and GET /docs, from the application's own route metadata. */
@Module({
  imports: [DiscoveryModule],
  controllers: [OpenApiController],
  providers: [RouteExplorer, OpenApiService],
  exports: [OpenApiService],
})
export class OpenApiModule {}
