import { Controller, Get, Header } from '@nestjs/common';
import { OpenApiService } from './openapi.service.js';
import { DOCS_CONTENT_SECURITY_POLICY } from './docs-page.js';
import { Public } from '../auth/requires-role.decorator.js';

/** The API's description, generated from the code at startup. Public. */
@Public()
@Controller()
export class OpenApiController {
  constructor(private readonly openApi: OpenApiService) {}

  @Get('openapi.json')
  @Header('cache-control', 'no-cache')
  document(): object {
    return this.openApi.document();
  }

  @Get('docs')
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', DOCS_CONTENT_SECURITY_POLICY)
  @Header('cache-control', 'no-cache')
  docs(): string {
    return this.openApi.docsPage();
  }
}
