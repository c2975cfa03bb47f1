import { Injectable } from '@nestjs/common';
import { renderDocsPage } from './docs-page.js';
import { buildOpenApiDocument, type OpenApiDocument } from './openapi-document.js';
import { RouteExplorer } from './route-explorer.js';

/** Builds the document and the page once, on first use (every controller is registered by then). */
@Injectable()
export class OpenApiService {
  private built: { document: OpenApiDocument; page: string } | undefined;

  constructor(private readonly explorer: RouteExplorer) {}

  document(): OpenApiDocument {
    return this.build().document;
  }

  docsPage(): string {
    return this.build().page;
  }

  private build(): { document: OpenApiDocument; page: string } {
    if (!this.built) {
      const document = buildOpenApiDocument(this.explorer.routes());
      this.built = { document, page: renderDocsPage(document) };
    }
    return this.built;
  }
}
