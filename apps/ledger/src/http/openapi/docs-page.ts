import type { JsonSchema } from './schemas.js';
import type { OpenApiDocument, OpenApiOperation } from './openapi-document.js';

/** What /docs may load: nothing but its own inline style. */
export const DOCS_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (value: unknown): string => String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
const anchor = (value: string): string => value.replace(/[^A-Za-z0-9_-]/g, '-');

/**
 * The API documentation as one self-contained HTML page rendered on the server from the OpenAPI
 * document: operations with their parameters, bodies and responses, then the schemas. No script,
 * no external resource, so it works offline and under a strict CSP.
 */
export function renderDocsPage(doc: OpenApiDocument): string {
  const info = doc.info as { title: string; version: string; description?: string };
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method, op })),
  );
  const toc = operations
    .map(({ path, method, op }) => `<li><a href="#op-${anchor(op.operationId)}"><span class="m ${method}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></a> ${esc(op.summary)}</li>`)
    .join('\n');
  const body = operations.map(({ path, method, op }) => renderOperation(path, method, op)).join('\n');
  const schemas = Object.entries(doc.components.schemas)
    .map(([name, schema]) => `<section class="schema" id="schema-${anchor(name)}"><h3>${esc(name)}</h3>${renderSchema(schema)}
<details><summary>JSON Schema</summary><pre>${esc(JSON.stringify(schema, null, 2))}</pre></details></section>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(info.title)} API ${esc(info.version)}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:980px;padding:1rem 1.5rem;color:#1d1d1f}
code,pre{font:13px/1.4 ui-monospace,Menlo,Consolas,monospace}pre{background:#f5f5f7;padding:.6rem;overflow:auto;border-radius:4px}
table{border-collapse:collapse;width:100%;margin:.4rem 0}th,td{text-align:left;border-bottom:1px solid #ddd;padding:.25rem .5rem;vertical-align:top}
.m{display:inline-block;min-width:3.6em;font-weight:600;font-size:12px;text-align:center;border-radius:3px;color:#fff;background:#555;padding:0 .3em}
.get{background:#1a7f37}.post{background:#0969da}.put,.patch{background:#9a6700}.delete{background:#cf222e}
section.op{border:1px solid #ddd;border-radius:6px;padding:.2rem 1rem .8rem;margin:1rem 0}section.schema{margin:1rem 0}
.muted{color:#666}.req{color:#cf222e}
</style></head><body>
<h1>${esc(info.title)} <small class="muted">API ${esc(info.version)}</small></h1>
<p>${esc(info.description ?? '')}</p>
<p class="muted">OpenAPI ${esc(doc.openapi)} document: <a href="openapi.json">openapi.json</a></p>
<h2>Operations</h2><ul>
${toc}
</ul>
${body}
<h2>Schemas</h2>
${schemas}
</body></html>
`;
}

function renderOperation(path: string, method: string, op: OpenApiOperation): string {
  const parameters = op.parameters.length
    ? `<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>type</th><th>description</th></tr>${op.parameters
        .map((p) => `<tr><td><code>${esc(p.name)}</code>${p.required ? ' <span class="req">required</span>' : ''}</td><td>${esc(p.in)}</td><td>${typeText(p.schema)}</td><td>${esc(p.description ?? '')}</td></tr>`)
        .join('')}</table>`
    : '';
  const requestBody = op.requestBody as { content: Record<string, { schema: JsonSchema }> } | undefined;
  const bodyHtml = requestBody
    ? `<h4>Request body</h4><ul>${Object.entries(requestBody.content)
        .map(([mediaType, { schema }]) => `<li><code>${esc(mediaType)}</code>: ${typeText(schema)}</li>`)
        .join('')}</ul>`
    : '';
  const responses = Object.entries(op.responses)
    .map(([status, response]) => {
      const r = response as { description?: string; $ref?: string; content?: Record<string, { schema: JsonSchema }> };
      const description = r.$ref ? `error: <a href="#schema-Error">Error</a>` : esc(r.description ?? '');
      const media = Object.entries(r.content ?? {})
        .map(([mediaType, { schema }]) => `<code>${esc(mediaType)}</code> ${typeText(schema)}`)
        .join('<br>');
      return `<tr><td>${esc(status)}</td><td>${description}</td><td>${media}</td></tr>`;
    })
    .join('');
  const security = op.security.length ? `Bearer token${op['x-roles'] ? `, role ${esc(op['x-roles'].join(' or '))}` : ''}` : 'none (public)';
  return `<section class="op" id="op-${anchor(op.operationId)}">
<h3><span class="m ${method}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>
<p><strong>${esc(op.summary)}</strong> <span class="muted">(${esc(op.operationId)})</span></p>
${op.description ? op.description.split('\n\n').map((para) => `<p>${esc(para)}</p>`).join('') : ''}
<p class="muted">Credentials: ${security}</p>
${parameters}${bodyHtml}
<h4>Responses</h4><table><tr><th>status</th><th>description</th><th>content</th></tr>${responses}</table>
</section>`;
}

/** A short type: a link for a $ref, else the type with its constraints. */
function typeText(schema: JsonSchema | undefined): string {
  if (!schema) return '';
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.split('/').pop()!;
    return `<a href="#schema-${anchor(name)}">${esc(name)}</a>`;
  }
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as JsonSchema[]).map(typeText).join(' | ');
  if (Array.isArray(schema.allOf)) return (schema.allOf as JsonSchema[]).map(typeText).join(' &amp; ');
  const type = Array.isArray(schema.type) ? (schema.type as string[]).join(' | ') : String(schema.type ?? 'any');
  if (type === 'array') return `array of ${typeText(schema.items as JsonSchema | undefined) || 'any'}${constraints(schema)}`;
  return `${esc(type)}${constraints(schema)}`;
}

function constraints(schema: JsonSchema): string {
  const parts: string[] = [];
  if (Array.isArray(schema.enum)) parts.push(`one of ${(schema.enum as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`);
  if (schema.format !== undefined) parts.push(`format ${String(schema.format)}`);
  for (const key of ['minLength', 'maxLength', 'minItems', 'maxItems', 'minimum', 'maximum'] as const) {
    if (schema[key] !== undefined) parts.push(`${key} ${String(schema[key])}`);
  }
  if (schema.pattern !== undefined && schema.format === undefined) parts.push(`pattern ${String(schema.pattern)}`);
  return parts.length ? ` <span class="muted">(${esc(parts.join('; '))})</span>` : '';
}

/** An object's properties as a table (nested objects as nested tables), otherwise its type. */
function renderSchema(schema: JsonSchema, depth = 0): string {
  const description = typeof schema.description === 'string' ? `<p>${esc(schema.description)}</p>` : '';
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (!properties || depth > 4) return `${description}<p>${typeText(schema)}</p>`;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const rows = Object.entries(properties)
    .map(([name, property]) => {
      const nested = property.properties || (property.type === 'array' && (property.items as JsonSchema | undefined)?.properties);
      const inner = nested
        ? renderSchema(property.type === 'array' ? { ...(property.items as JsonSchema), description: undefined } : { ...property, description: undefined }, depth + 1)
        : '';
      return `<tr><td><code>${esc(name)}</code>${required.has(name) ? ' <span class="req">required</span>' : ''}</td><td>${typeText(property)}${
        typeof property.description === 'string' ? `<br><span class="muted">${esc(property.description)}</span>` : ''
      }${inner}</td></tr>`;
    })
    .join('');
  const closed = schema.additionalProperties === false ? '<p class="muted">No other fields are accepted.</p>' : '';
  return `${description}<table><tr><th>field</th><th>type</th></tr>${rows}</table>${closed}`;
}
