/**
 * @module platform/http/docs/document
 *
 * The shape of the OpenAPI document @fastify/swagger generates from the routes, as far as the
 * reference pages read it, and the walk over its operations in the order the routes were
 * registered (so each module's operations stay together).
 */

/** A JSON Schema as it appears in the document: only the keywords the reference renders are typed. */
export interface JsonSchema {
  type?: string | string[];
  $ref?: string;
  title?: string;
  description?: string;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  enum?: readonly unknown[];
  const?: unknown;
  default?: unknown;
  examples?: readonly unknown[];
  properties?: Record<string, JsonSchema>;
  required?: readonly string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: readonly JsonSchema[];
  oneOf?: readonly JsonSchema[];
  allOf?: readonly JsonSchema[];
  'x-classification'?: string;
}

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  description?: string;
  schema?: JsonSchema;
}

export interface OpenApiMediaTypes {
  content?: Record<string, { schema?: JsonSchema }>;
}

export interface OpenApiOperation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: OpenApiParameter[];
  requestBody?: OpenApiMediaTypes & { required?: boolean };
  responses?: Record<string, OpenApiMediaTypes & { description?: string }>;
  'x-portcullis-auth'?: string;
  'x-portcullis-permission'?: string;
  'x-portcullis-audit'?: string | readonly string[];
  /** The route's `stepUp` declaration: `{ maxAgeSeconds, level }`. */
  'x-portcullis-step-up'?: { maxAgeSeconds: number; level: string };
  /** A public route's per-network limit class (`none`, `network`, `network-costly`). */
  'x-portcullis-limit'?: string;
  /** Which restricted sessions the route serves: `any`, or the factor they must be allowed to enrol. */
  'x-portcullis-enrolment'?: string;
}

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export interface DocumentedOperation {
  readonly method: string;
  readonly path: string;
  readonly operation: OpenApiOperation;
  /** The fragment the operation is linked by: `op-post-v1-sessions`. */
  readonly anchor: string;
  /** The first tag, the module the route belongs to. */
  readonly tag: string;
}

const UNTAGGED = 'other';

/** Every operation of the document, grouped by first tag in the order the tags first appear. */
export function groupedOperations(document: OpenApiDocument): ReadonlyMap<string, readonly DocumentedOperation[]> {
  const groups = new Map<string, DocumentedOperation[]>();
  const anchors = new Set<string>();
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const tag = operation.tags?.[0] ?? UNTAGGED;
      const anchor = uniqueAnchor(`op-${method}-${path}`, anchors);
      const group = groups.get(tag) ?? [];
      group.push({ method, path, operation, anchor, tag });
      groups.set(tag, group);
    }
  }
  return groups;
}

/** Text as an id fragment: lower-case letters, digits and single hyphens. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** A fragment made of `[a-z0-9-]` only; `/v1/a/{id}` and `/v1/a/id` would meet, hence the counter. */
function uniqueAnchor(text: string, taken: Set<string>): string {
  const base = slug(text);
  let anchor = base;
  for (let n = 2; taken.has(anchor); n++) anchor = `${base}-${n}`;
  taken.add(anchor);
  return anchor;
}

const LOCAL_REF = '#/components/schemas/';

/** The component a local `$ref` names, or the schema itself; unknown references resolve to `{}`. */
export function resolveSchema(document: OpenApiDocument, schema: JsonSchema): JsonSchema {
  if (schema.$ref === undefined) return schema;
  const name = refName(schema.$ref);
  return (name === undefined ? undefined : document.components?.schemas?.[name]) ?? {};
}

/** `Problem` for `#/components/schemas/Problem`. */
export function refName(ref: string): string | undefined {
  return ref.startsWith(LOCAL_REF) ? ref.slice(LOCAL_REF.length) : undefined;
}
