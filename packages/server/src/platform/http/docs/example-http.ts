/**
 * @module platform/http/docs/example-http
 *
 * An operation's example exchange as HTTP text: the request line with example path and query
 * values, the credential headers its authentication level needs, and the bodies from
 * examples.ts. Tokens and proofs are shown as placeholders; they are never real.
 */
import { STATUS_CODES } from 'node:http';
import type { DocumentedOperation, JsonSchema, OpenApiDocument, OpenApiMediaTypes } from './document.ts';
import { exampleFor } from './examples.ts';

/** Credential headers by `x-portcullis-auth`: sessions send a DPoP-bound token and a proof per request. */
function credentialHeaders(auth: string | undefined): string[] {
  if (auth === undefined || auth === 'public') return [];
  if (auth === 'client') return ['Authorization: Basic <client id:secret, base64>'];
  return ['Authorization: DPoP <access token>', 'DPoP: <proof JWT signed by the device key>'];
}

function bodyText(document: OpenApiDocument, mediaType: string, schema: JsonSchema | undefined): string | undefined {
  if (schema === undefined) return undefined;
  if (mediaType === 'application/json' || mediaType === 'application/problem+json') {
    return JSON.stringify(exampleFor(document, schema), null, 2);
  }
  if (mediaType === 'application/x-www-form-urlencoded') {
    const value = exampleFor(document, schema);
    if (typeof value !== 'object' || value === null) return undefined;
    return new URLSearchParams(Object.entries(value).map(([key, item]): [string, string] => [key, String(item)])).toString();
  }
  return undefined;
}

/** The first media type of a request or response, and its example body when one can be shown. */
function firstBody(
  document: OpenApiDocument,
  media: OpenApiMediaTypes | undefined,
): { type: string; body: string | undefined } | undefined {
  const [entry] = Object.entries(media?.content ?? {});
  if (entry === undefined) return undefined;
  const [type, content] = entry;
  return { type, body: bodyText(document, type, content.schema) };
}

function exampleString(document: OpenApiDocument, schema: JsonSchema | undefined, name: string): string {
  const value = schema === undefined ? name : exampleFor(document, schema, name);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function exampleRequest(document: OpenApiDocument, documented: DocumentedOperation): string {
  const { method, operation } = documented;
  const parameters = operation.parameters ?? [];
  let path = documented.path;
  for (const parameter of parameters.filter((p) => p.in === 'path')) {
    path = path.replace(`{${parameter.name}}`, encodeURIComponent(exampleString(document, parameter.schema, parameter.name)));
  }
  const query = new URLSearchParams(
    parameters
      .filter((p) => p.in === 'query' && p.required === true)
      .map((p): [string, string] => [p.name, exampleString(document, p.schema, p.name)]),
  ).toString();
  const headers = [
    ...credentialHeaders(operation['x-portcullis-auth']),
    ...parameters
      .filter((p) => p.in === 'header' && p.required === true)
      .map((p) => `${p.name}: ${exampleString(document, p.schema, p.name)}`),
  ];
  const body = firstBody(document, operation.requestBody);
  if (body !== undefined) headers.push(`Content-Type: ${body.type}`);
  const head = [`${method.toUpperCase()} ${path}${query === '' ? '' : `?${query}`} HTTP/1.1`, ...headers].join('\n');
  if (body === undefined) return head;
  return `${head}\n\n${body.body ?? `<${body.type} body>`}`;
}

/** The first success response as HTTP text, or `undefined` when the operation documents none. */
export function exampleResponse(document: OpenApiDocument, documented: DocumentedOperation): string | undefined {
  const [status] = Object.keys(documented.operation.responses ?? {}).filter((code) => /^2\d\d$/.test(code));
  if (status === undefined) return undefined;
  const body = firstBody(document, documented.operation.responses?.[status]);
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`.trimEnd(),
    ...(body === undefined ? [] : [`Content-Type: ${body.type}`]),
  ].join('\n');
  if (body === undefined) return head;
  return `${head}\n\n${body.body ?? `<${body.type} body>`}`;
}
