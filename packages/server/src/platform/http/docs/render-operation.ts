/**
 * @module platform/http/docs/render-operation
 *
 * One operation of the reference: its contract (authentication level, permission, step-up,
 * rate-limit class, audit events), parameters, request and response schemas, an example
 * exchange and the error codes it can answer with. Every value from the document is escaped.
 */
import { STATUS_CODES } from 'node:http';
import { ERRORS } from '@portcullis/protocol';
import { escapeHtml } from '../html.ts';
import { refName, type DocumentedOperation, type OpenApiDocument, type OpenApiOperation, type OpenApiParameter } from './document.ts';
import { errorAnchor, operationErrorCodes } from './error-codes.ts';
import { exampleRequest, exampleResponse } from './example-http.ts';
import { renderSchema } from './schema-table.ts';
import { constraintsOf, typeLabel } from './schema-summary.ts';
import { code, inlineText } from './text.ts';

/** What each `x-portcullis-auth` value asks of the caller. */
export const AUTH_LEVELS: Readonly<Record<string, string>> = {
  public: 'no credentials',
  client: 'the credentials of a configured service (HTTP Basic), never a session',
  aal1: 'any signed-in session: a DPoP-bound access token',
  aal2: 'a session signed in with a second factor',
  aal2_phr: 'a session signed in with a phishing-resistant factor (a passkey)',
};

function auditText(audit: OpenApiOperation['x-portcullis-audit']): string {
  if (audit === undefined || audit === 'none') return 'none';
  return (typeof audit === 'string' ? [audit] : audit).map(code).join(', ');
}

function stepUpText(stepUp: NonNullable<OpenApiOperation['x-portcullis-step-up']>): string {
  const when =
    stepUp.maxAgeSeconds === 0
      ? 'every time, bound to this very request'
      : `unless the session signed in at that level within ${stepUp.maxAgeSeconds} seconds; then bound to this very request`;
  return `${code(stepUp.level)} ${when} (the ${code('Portcullis-Step-Up')} header, see ${code('STEP_UP_REQUIRED')})`;
}

function contractList(operation: OpenApiOperation): string {
  const auth = operation['x-portcullis-auth'] ?? 'undeclared';
  const items: [string, string][] = [
    ['Authentication', `${code(auth)} — ${escapeHtml(AUTH_LEVELS[auth] ?? 'undeclared')}`],
    ['Permission', code(operation['x-portcullis-permission'] ?? 'none')],
  ];
  const stepUp = operation['x-portcullis-step-up'];
  if (stepUp !== undefined) items.push(['Step-up', stepUpText(stepUp)]);
  const limit = operation['x-portcullis-limit'];
  if (limit !== undefined) items.push(['Rate limit', limit === 'none' ? 'none per network' : `${code(limit)} per network`]);
  const enrolment = operation['x-portcullis-enrolment'];
  if (enrolment !== undefined)
    items.push(['Restricted sessions', enrolment === 'any' ? 'allowed' : `allowed when they may set up ${code(enrolment)}`]);
  items.push(['Audit', auditText(operation['x-portcullis-audit'])]);
  return `<dl class="contract">${items.map(([term, value]) => `<div><dt>${term}</dt><dd>${value}</dd></div>`).join('')}</dl>`;
}

function parameterRow(parameter: OpenApiParameter): string {
  const schema = parameter.schema ?? {};
  const constraints = constraintsOf(schema).map((c) => `<li>${escapeHtml(c.label)}${c.code === undefined ? '' : `: ${code(c.code)}`}</li>`);
  const required = parameter.required === true ? ' <span class="required">required</span>' : '';
  const description = parameter.description ?? schema.description;
  return `<tr><td>${code(parameter.name)}${required}</td><td>${escapeHtml(parameter.in)}</td><td>${escapeHtml(typeLabel(schema))}${constraints.length === 0 ? '' : `<ul class="constraints">${constraints.join('')}</ul>`}</td><td>${description === undefined ? '' : inlineText(description)}</td></tr>`;
}

function parametersSection(operation: OpenApiOperation): string {
  const parameters = operation.parameters ?? [];
  if (parameters.length === 0) return '';
  return `<h4>Parameters</h4><table class="params"><thead><tr><th scope="col">Name</th><th scope="col">In</th><th scope="col">Type</th><th scope="col">Description</th></tr></thead><tbody>${parameters.map(parameterRow).join('')}</tbody></table>`;
}

function mediaSchemas(document: OpenApiDocument, media: OpenApiOperation['requestBody'], label: string): string {
  return Object.entries(media?.content ?? {})
    .map(([type, content]) =>
      content.schema === undefined ? `<p>${code(type)}</p>` : renderSchema(document, content.schema, `${label} (${type})`),
    )
    .join('');
}

function statusName(status: string): string {
  if (status === '4XX') return 'client errors';
  if (status === '5XX') return 'server errors';
  return STATUS_CODES[status] ?? '';
}

function responsesSection(document: OpenApiDocument, operation: OpenApiOperation): string {
  const responses = Object.entries(operation.responses ?? {}).map(([status, response]) => {
    const heading = `<h5>${escapeHtml(status)} ${escapeHtml(statusName(status))}</h5>`;
    const contents = Object.values(response.content ?? {});
    const onlyProblem = contents.length > 0 && contents.every((content) => refName(content.schema?.$ref ?? '') === 'Problem');
    if (onlyProblem) {
      return `${heading}<p>A <a href="#schema-problem">problem</a> (${code('application/problem+json')}) with one of the error codes below.</p>`;
    }
    // @fastify/swagger fills the description with a placeholder, or copies the schema's, which the body line shows already.
    const said = new Set(['Default Response', ...contents.map((content) => content.schema?.description)]);
    const description =
      response.description !== undefined && !said.has(response.description) ? `<p>${inlineText(response.description)}</p>` : '';
    return `${heading}${description}${mediaSchemas(document, response, 'Body')}`;
  });
  return `<h4>Responses</h4>${responses.join('')}`;
}

function examplesSection(document: OpenApiDocument, documented: DocumentedOperation): string {
  const response = exampleResponse(document, documented);
  const request = `<details><summary>Example request</summary><pre><code>${escapeHtml(exampleRequest(document, documented))}</code></pre></details>`;
  return response === undefined
    ? request
    : `${request}<details><summary>Example response</summary><pre><code>${escapeHtml(response)}</code></pre></details>`;
}

function errorsSection(operation: OpenApiOperation): string {
  const items = operationErrorCodes(operation).map(
    (errorCode) =>
      `<li><a href="#${errorAnchor(errorCode)}">${code(errorCode)}</a> <span class="status">${ERRORS[errorCode].status}</span> ${escapeHtml(ERRORS[errorCode].message)}</li>`,
  );
  const list = items.length === 0 ? '' : `<ul class="codes">${items.join('')}</ul>`;
  return `<h4>Error codes</h4>${list}<p class="note">From the route's contract and description. The operation's own refusals (not found, conflicts) and <a href="#any-operation">the codes any request can meet</a> are in the <a href="#errors">error catalogue</a>.</p>`;
}

/** The words the search box matches: method, path, summary, module, contract and error codes. */
export function searchText(documented: DocumentedOperation): string {
  const { operation } = documented;
  const audit = operation['x-portcullis-audit'];
  return [
    documented.method,
    documented.path,
    documented.tag,
    operation.summary ?? '',
    operation['x-portcullis-auth'] ?? '',
    operation['x-portcullis-permission'] ?? '',
    ...(typeof audit === 'string' ? [audit] : (audit ?? [])),
    ...operationErrorCodes(operation),
  ]
    .join(' ')
    .toLowerCase();
}

export function renderOperation(document: OpenApiDocument, documented: DocumentedOperation): string {
  const { method, path, operation, anchor } = documented;
  const summary = operation.summary === undefined ? '' : `<p class="summary">${inlineText(operation.summary)}</p>`;
  const description = operation.description === undefined ? '' : `<p>${inlineText(operation.description)}</p>`;
  const body = operation.requestBody === undefined ? '' : `<h4>Request body</h4>${mediaSchemas(document, operation.requestBody, 'Body')}`;
  return `<article class="operation" id="${anchor}" data-search="${escapeHtml(searchText(documented))}">
<h3><a class="anchor" href="#${anchor}"><span class="method method-${escapeHtml(method)}">${escapeHtml(method.toUpperCase())}</span> <code class="path">${escapeHtml(path)}</code></a></h3>
${summary}${description}${contractList(operation)}${parametersSection(operation)}${body}${responsesSection(document, operation)}${examplesSection(document, documented)}${errorsSection(operation)}
</article>`;
}
