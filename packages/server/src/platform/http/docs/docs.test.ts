/**
 * The API reference rendered from the live OpenAPI document: every operation with its contract,
 * examples that are deterministic and valid against their schemas, and the error codes the
 * contract implies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Value } from 'typebox/value';
import { ERRORS } from '@portcullis/protocol';
import type { App } from '../../../app.ts';
import { buildTestApp } from '../../../test-support/build-test-app.ts';
import { fixtureRoutes } from '../../../test-support/fixture-routes.ts';
import { escapeHtml } from '../html.ts';
import { groupedOperations, type DocumentedOperation, type JsonSchema, type OpenApiDocument } from './document.ts';
import { errorAnchor, operationErrorCodes } from './error-codes.ts';
import { exampleFor } from './examples.ts';
import { exampleForPattern } from './pattern-example.ts';

/** Every request and response body schema of the document, named by where it is. */
function bodySchemas(operations: readonly DocumentedOperation[]): [string, JsonSchema][] {
  return operations
    .flatMap(({ method, path, operation }) => [
      ...Object.entries(operation.requestBody?.content ?? {}).map(([type, c]): [string, JsonSchema | undefined] => [
        `${method} ${path} request ${type}`,
        c.schema,
      ]),
      ...Object.entries(operation.responses ?? {}).flatMap(([status, response]) =>
        Object.entries(response.content ?? {}).map(([type, c]): [string, JsonSchema | undefined] => [
          `${method} ${path} ${status} ${type}`,
          c.schema,
        ]),
      ),
    ])
    .filter((entry): entry is [string, JsonSchema] => entry[1] !== undefined);
}

/** The schema with its component references inlined, as a validator without the document needs it. */
function inlined(document: OpenApiDocument, schema: JsonSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema), (_key, value: unknown) => {
    const ref = (value as JsonSchema | null)?.$ref;
    return typeof ref === 'string' ? (document.components?.schemas?.[ref.split('/').pop() ?? ''] ?? value) : value;
  }) as JsonSchema;
}

describe('API reference page', () => {
  let app: App;
  let document: OpenApiDocument;
  let operations: DocumentedOperation[];
  let page: string;
  beforeAll(async () => {
    app = await buildTestApp({ plugins: [fixtureRoutes] });
    document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    operations = [...groupedOperations(document).values()].flat();
    page = (await app.inject({ method: 'GET', url: '/docs' })).body;
  });
  afterAll(() => app.close());

  function article(anchor: string): string {
    const start = page.indexOf(`<article class="operation" id="${anchor}"`);
    expect(start, anchor).toBeGreaterThan(-1);
    return page.slice(start, page.indexOf('</article>', start));
  }

  it('shows every operation of the document with its method, path, authentication level and permission', () => {
    expect(operations.length).toBeGreaterThan(50);
    expect(new Set(operations.map((o) => o.anchor)).size).toBe(operations.length);
    for (const { method, path, operation, anchor } of operations) {
      const html = article(anchor);
      expect(html).toContain(`${method.toUpperCase()}</span> <code class="path">${escapeHtml(path)}</code>`);
      expect(html).toContain(`<dt>Authentication</dt><dd><code>${operation['x-portcullis-auth']}</code>`);
      expect(html).toContain(`<dt>Permission</dt><dd><code>${operation['x-portcullis-permission']}</code>`);
      expect(page).toContain(`<a href="#${anchor}">`);
    }
  });

  it('shows the step-up, rate-limit class and audit events of the operations that declare them', () => {
    const stepUp = operations.find((o) => o.operation['x-portcullis-step-up'] !== undefined);
    expect(stepUp).toBeDefined();
    expect(article(stepUp?.anchor ?? '')).toMatch(/<dt>Step-up<\/dt><dd><code>aal2(_phr)?<\/code>/);
    expect(article('op-post-v1-sessions')).toContain('<dt>Rate limit</dt><dd><code>network</code> per network</dd>');
    expect(article('op-post-v1-sessions')).toContain('<dt>Audit</dt><dd><code>session.created</code></dd>');
  });

  it('renders a request body as a nested field table with requiredness and constraints', () => {
    const html = article('op-post-v1-sessions');
    expect(html).toContain('<code>email</code> <span class="required">required</span>');
    expect(html).toContain('<code><span class="parent">device.</span>label</code> <span class="required">required</span>');
    expect(html).toContain('<li>one of: <code>&#34;ios&#34;, &#34;android&#34;, &#34;web&#34;, &#34;other&#34;</code></li>');
    expect(html).toContain('<li>pattern: <code>^[0-9A-Za-z.+-]+$</code></li>');
    expect(html).toContain('<h5>201 Created</h5>');
  });

  it('lists path, query and header parameters with their type, pattern and requiredness', () => {
    const withQuery = operations.find((o) => o.operation.parameters?.some((p) => p.in === 'query' && p.schema?.pattern !== undefined));
    const parameter = withQuery?.operation.parameters?.find((p) => p.in === 'query' && p.schema?.pattern !== undefined);
    expect(parameter).toBeDefined();
    const html = article(withQuery?.anchor ?? '');
    expect(html).toContain(`<td><code>${parameter?.name}</code>`);
    expect(html).toContain(`<li>pattern: <code>${escapeHtml(parameter?.schema?.pattern ?? '')}</code></li>`);
  });

  it('gives every body an example that is valid against its schema, the same on every render', async () => {
    const schemas = bodySchemas(operations);
    expect(schemas.length).toBeGreaterThan(100);
    for (const [where, schema] of schemas) {
      const example = exampleFor(document, schema);
      expect(exampleFor(document, schema), where).toEqual(example);
      expect(Value.Check(inlined(document, schema) as never, example), `${where}: ${JSON.stringify(example)}`).toBe(true);
    }
    const again = await app.inject({ method: 'GET', url: '/docs' });
    expect(again.body).toBe(page);
  });

  it("prefers a schema's own examples, and shows an example request and response", () => {
    expect(exampleFor(document, { type: 'string', pattern: '^[0-9]{6}$', examples: ['492039'] })).toBe('492039');
    const html = article('op-post-v1-sessions');
    expect(html).toContain(
      '<summary>Example request</summary><pre><code>POST /v1/sessions HTTP/1.1\nContent-Type: application/json\n\n{\n  &#34;email&#34;: &#34;user@example.com&#34;',
    );
    expect(html).toContain('<summary>Example response</summary><pre><code>HTTP/1.1 201 Created');
    expect(article('op-post-v1-fixture-records')).toContain('Authorization: DPoP &#60;access token&#62;\nDPoP: &#60;proof JWT');
  });

  it('makes pattern examples that match, deterministically', () => {
    const patterns = [
      '^dev_[A-Za-z0-9_-]{22}$',
      '^\\+[1-9][0-9]{6,14}$',
      '^(?:[1-9][0-9]?|[1-4][0-9]{2}|500)$',
      '^[a-z][a-z0-9_]*\\.[a-z][a-z0-9_]*$',
    ];
    for (const pattern of patterns) {
      const text = exampleForPattern(pattern, { openRepeat: 8 });
      expect(text, pattern).toMatch(new RegExp(pattern, 'u'));
      expect(exampleForPattern(pattern, { openRepeat: 8 })).toBe(text);
    }
    expect(exampleForPattern('^[0-9a-f]{8}$', { openRepeat: 8 })).toBe('01234567');
    expect(exampleForPattern('^(unclosed$', { openRepeat: 8 })).toBeUndefined();
  });

  it('lists the error codes the contract implies, linked to the catalogue', () => {
    const records = operations.find((o) => o.anchor === 'op-post-v1-fixture-records')?.operation ?? {};
    expect(operationErrorCodes(records)).toEqual(
      expect.arrayContaining([
        'REQUEST_INVALID',
        'AUTH_REQUIRED',
        'AUTH_DPOP_INVALID',
        'AUTH_LEVEL_INSUFFICIENT',
        'MFA_ENROLMENT_REQUIRED',
        'RBAC_FORBIDDEN',
      ]),
    );
    expect(operationErrorCodes(records)).not.toContain('RATE_LIMITED');
    const signIn = operations.find((o) => o.anchor === 'op-post-v1-sessions')?.operation ?? {};
    expect(operationErrorCodes(signIn)).toContain('RATE_LIMITED');
    expect(operationErrorCodes(signIn)).not.toContain('AUTH_REQUIRED');
    for (const { operation } of operations.filter((o) => o.operation['x-portcullis-step-up'] !== undefined)) {
      expect(operationErrorCodes(operation)).toContain('STEP_UP_REQUIRED');
    }
    for (const { operation } of operations.filter((o) => o.operation['x-portcullis-auth'] === 'client')) {
      expect(operationErrorCodes(operation)).toEqual(expect.arrayContaining(['AUTH_CLIENT_INVALID']));
    }
    // A route for restricted sessions (any) is not refused for the restriction.
    const anyRestricted = operations.find((o) => o.operation['x-portcullis-enrolment'] === 'any')?.operation ?? {};
    expect(operationErrorCodes(anyRestricted)).not.toContain('MFA_ENROLMENT_REQUIRED');
    // Codes the description names are listed too.
    const commits = operations.find((o) => o.operation.description?.includes('EPOCH_CONFLICT'))?.operation ?? {};
    expect(operationErrorCodes(commits)).toContain('EPOCH_CONFLICT');
    expect(article('op-post-v1-fixture-records')).toContain(`<a href="#${errorAnchor('RBAC_FORBIDDEN')}"><code>RBAC_FORBIDDEN</code></a>`);
  });

  it('has a catalogue entry for every error code, with its status', () => {
    for (const [errorCode, definition] of Object.entries(ERRORS)) {
      expect(page).toContain(
        `<div class="error" id="${errorAnchor(errorCode)}"><h4><code>${errorCode}</code> <span class="status">${definition.status}</span></h4>`,
      );
    }
    expect(page).toContain('<section id="schema-problem"');
  });
});
