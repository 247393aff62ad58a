/**
 * @module platform/http/docs/render-page
 *
 * The whole reference page: the authentication levels, every operation grouped by module (an
 * index of links, then each operation in full), and the error catalogue with the `Problem`
 * shape. Fully usable without script: the filter box is hidden until search.js shows it.
 */
import { ERRORS, type ErrorCode, type ErrorDefinition } from '@portcullis/protocol';
import { escapeHtml } from '../html.ts';
import { groupedOperations, slug, type DocumentedOperation, type OpenApiDocument } from './document.ts';
import { ANY_OPERATION_CODES, errorAnchor } from './error-codes.ts';
import { AUTH_LEVELS, renderOperation, searchText } from './render-operation.ts';
import { renderSchema } from './schema-table.ts';
import { code, inlineText } from './text.ts';

export const DOCS_SCRIPT_PATH = '/docs/search.js';
export const DOCS_STYLESHEET_PATH = '/docs/docs.css';

function indexEntry(documented: DocumentedOperation): string {
  const { method, path, operation, anchor } = documented;
  const summary = operation.summary === undefined ? '' : ` — ${inlineText(operation.summary)}`;
  return `<li data-search="${escapeHtml(searchText(documented))}"><a href="#${anchor}"><span class="method method-${escapeHtml(method)}">${escapeHtml(method.toUpperCase())}</span> ${code(path)}</a>${summary}</li>`;
}

function groupSection(document: OpenApiDocument, tag: string, operations: readonly DocumentedOperation[]): string {
  return `<section class="group" id="tag-${slug(tag)}" data-group aria-labelledby="tag-${slug(tag)}-title">
<h2 id="tag-${slug(tag)}-title">${escapeHtml(tag)}</h2>
<ul class="index">${operations.map(indexEntry).join('')}</ul>
${operations.map((operation) => renderOperation(document, operation)).join('\n')}
</section>`;
}

function errorEntry(errorCode: ErrorCode): string {
  const definition: ErrorDefinition = ERRORS[errorCode];
  const exposed = definition.expose ?? definition.status < 500;
  const hidden = exposed ? '' : ` <em>Not exposed: the client receives ${code('INTERNAL_ERROR')}.</em>`;
  return `<div class="error" id="${errorAnchor(errorCode)}"><h4>${code(errorCode)} <span class="status">${definition.status}</span></h4><p><strong>${escapeHtml(definition.message)}.</strong> ${inlineText(definition.description)}${hidden}</p></div>`;
}

/** The shared schemas operations refer to (`$ref`), each once: the problem shape first among them. */
function componentSections(document: OpenApiDocument): string {
  return Object.entries(document.components?.schemas ?? {})
    .map(([name, schema]) => {
      const id = `schema-${slug(name)}`;
      const title = name === 'Problem' ? 'The problem shape' : escapeHtml(name);
      return `<section id="${id}" aria-labelledby="${id}-title"><h3 id="${id}-title">${title}</h3>${renderSchema(document, schema, name)}</section>`;
    })
    .join('');
}

function errorsSection(document: OpenApiDocument): string {
  const anyOperation = ANY_OPERATION_CODES.map(
    (errorCode) => `<li><a href="#${errorAnchor(errorCode)}">${code(errorCode)}</a> ${ERRORS[errorCode].status}</li>`,
  ).join('');
  return `<section id="errors" aria-labelledby="errors-title"><h2 id="errors-title">Error codes</h2>
<p>Every refusal is ${code('application/problem+json')} (RFC 9457) with a stable ${code('code')}: branch on it, never on ${code('title')} or ${code('detail')}. Codes are never renamed or reused.</p>
${componentSections(document)}
<section id="any-operation" aria-labelledby="any-operation-title"><h3 id="any-operation-title">Codes any request can meet</h3><ul class="codes">${anyOperation}</ul></section>
<h3>All codes</h3>
${(Object.keys(ERRORS) as ErrorCode[]).map(errorEntry).join('\n')}
</section>`;
}

function authSection(): string {
  const levels = Object.entries(AUTH_LEVELS).map(([level, meaning]) => `<div><dt>${code(level)}</dt><dd>${escapeHtml(meaning)}</dd></div>`);
  return `<section id="authentication" aria-labelledby="authentication-title"><h2 id="authentication-title">Authentication levels</h2>
<p>Each operation names the level it needs (${code('x-portcullis-auth')} in the OpenAPI document). Session tokens are bound to the device key that signs a DPoP proof for every request (RFC 9449).</p>
<dl class="contract">${levels.join('')}</dl></section>`;
}

export function renderDocsPage(document: OpenApiDocument): string {
  const groups = [...groupedOperations(document)];
  const total = groups.reduce((sum, [, operations]) => sum + operations.length, 0);
  const title = escapeHtml(document.info.title);
  const contents = groups.map(([tag, operations]) => `<li><a href="#tag-${slug(tag)}">${escapeHtml(tag)}</a> (${operations.length})</li>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} reference</title><link rel="stylesheet" href="${DOCS_STYLESHEET_PATH}"><script src="${DOCS_SCRIPT_PATH}" defer></script></head>
<body><div class="page"><a class="skip" href="#operations">Skip to the operations</a>
<header><h1>${title} <span class="version">${escapeHtml(document.info.version)}</span></h1>
<p>${total} operations. Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p></header>
<nav aria-label="Contents"><ul><li><a href="#authentication">Authentication levels</a></li>${contents.join('')}<li><a href="#errors">Error codes</a></li></ul></nav>
<main>
${authSection()}
<div class="search" role="search" data-search-box hidden><label for="search">Filter operations by path, summary, permission or error code</label><input id="search" type="search" autocomplete="off" spellcheck="false" aria-describedby="search-status"><p id="search-status" role="status"></p></div>
<div id="operations">
${groups.map(([tag, operations]) => groupSection(document, tag, operations)).join('\n')}
</div>
${errorsSection(document)}
</main></div></body></html>
`;
}
