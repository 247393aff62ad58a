/**
 * @module test-support/operations
 *
 * Test helper, never imported by production code: the operations of the served OpenAPI document,
 * for tests that walk every route. The list comes from the document, not from a test file, so a
 * new route is walked without anyone adding it.
 */
import type { App } from '../app.ts';
import type { OpenApiDocument } from '../platform/http/openapi.ts';

export interface Operation {
  readonly method: string;
  /** The document's path template, e.g. `/v1/records/{id}`. */
  readonly path: string;
  /** `x-portcullis-auth`, or `missing` when the document leaves it out. */
  readonly auth: string;
}

const EXAMPLE_ID = '00000000-0000-4000-8000-000000000000';

export async function operationsOf(app: App): Promise<Operation[]> {
  const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<OpenApiDocument>();
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      auth: operation['x-portcullis-auth'] ?? 'missing',
    })),
  );
}

/** `/v1/records/{id}` → `/v1/records/<uuid>`: a well-formed request, so only authentication can refuse it. */
export function concretePath(path: string): string {
  return path.replace(/\{[^}]+\}/g, EXAMPLE_ID);
}
