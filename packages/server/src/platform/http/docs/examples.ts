/**
 * @module platform/http/docs/examples
 *
 * Example values for request and response bodies, made from their schemas: the schema's own
 * `examples` when it has them, otherwise a value built from the type, format, enumeration,
 * pattern and bounds. Nothing is random, so the page is the same on every start, and every
 * value satisfies its schema (a test validates every operation's examples against it).
 */
import { resolveSchema, type JsonSchema, type OpenApiDocument } from './document.ts';
import { exampleForPattern } from './pattern-example.ts';
import { enumValues, mapValues, variantsOf } from './schema-summary.ts';

/** Well-known formats, as values that read as what they are. */
const FORMAT_EXAMPLES: Readonly<Record<string, string>> = {
  email: 'user@example.com',
  'date-time': '2026-01-01T09:30:00.000Z',
  date: '2026-01-01',
  time: '09:30:00Z',
  uuid: '3f2b8c1e-6d4a-4f7e-9b0c-2a5d8e1f7c64',
  uri: 'https://app.example.com/',
  'uri-reference': '/v1/example',
  url: 'https://app.example.com/',
  ipv4: '192.0.2.1',
  ipv6: '2001:db8::1',
  hostname: 'app.example.com',
  binary: '(binary data)',
  byte: 'AAECAw==',
};

const MAX_DEPTH = 12;

function fitLength(text: string, schema: JsonSchema): string {
  const min = schema.minLength ?? 0;
  const padded = text.length >= min ? text : text.padEnd(min, 'x');
  return schema.maxLength === undefined ? padded : padded.slice(0, schema.maxLength);
}

function fits(text: string, schema: JsonSchema): boolean {
  return (
    text.length >= (schema.minLength ?? 0) &&
    text.length <= (schema.maxLength ?? Infinity) &&
    (schema.pattern === undefined || new RegExp(schema.pattern, 'u').test(text))
  );
}

function stringExample(schema: JsonSchema, name: string): string {
  const format = schema.format === undefined ? undefined : FORMAT_EXAMPLES[schema.format];
  if (format !== undefined && fits(format, schema)) return format;
  if (schema.pattern !== undefined) {
    // A token-like length first; the shortest the pattern allows when bounds refuse it.
    for (const openRepeat of [8, 1]) {
      const text = exampleForPattern(schema.pattern, { openRepeat });
      if (text !== undefined && fits(text, schema)) return text;
    }
  }
  return fitLength(name === '' ? 'text' : name, schema);
}

function numberExample(schema: JsonSchema): number {
  const low = schema.minimum ?? (schema.exclusiveMinimum === undefined ? undefined : schema.exclusiveMinimum + 1);
  const high = schema.maximum ?? (schema.exclusiveMaximum === undefined ? undefined : schema.exclusiveMaximum - 1);
  if (low !== undefined) return low;
  return high !== undefined && high < 1 ? high : 1;
}

function objectExample(document: OpenApiDocument, schema: JsonSchema, depth: number): Record<string, unknown> {
  const required = new Set(schema.required ?? []);
  // Required properties first, so a `maxProperties` bound cuts optional ones only.
  const names = Object.keys(schema.properties ?? {}).sort((a, b) => Number(required.has(b)) - Number(required.has(a)));
  const limit = schema.maxProperties ?? Infinity;
  const value: Record<string, unknown> = {};
  for (const name of names.slice(0, limit)) {
    const property = schema.properties?.[name];
    if (property !== undefined) value[name] = example(document, property, name, depth + 1);
  }
  const values = mapValues(schema);
  if (values !== undefined && limit > 0) value['key'] = example(document, values, 'key', depth + 1);
  return value;
}

function example(document: OpenApiDocument, node: JsonSchema, name: string, depth: number): unknown {
  const schema = resolveSchema(document, node);
  if (schema.examples !== undefined && schema.examples.length > 0) return schema.examples[0];
  if ('const' in schema) return schema.const;
  const values = enumValues(schema);
  if (values !== undefined && values.length > 0) return values[0];
  const variants = variantsOf(schema) ?? schema.allOf;
  const first = variants?.[0];
  if (first !== undefined) return example(document, first, name, depth);
  if (depth > MAX_DEPTH) return null;
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return stringExample(schema, name);
    case 'integer':
    case 'number':
      return numberExample(schema);
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array': {
      const count = Math.max(schema.minItems ?? 1, schema.maxItems === 0 ? 0 : 1);
      const item = schema.items === undefined ? 'text' : example(document, schema.items, name, depth + 1);
      return Array.from({ length: count }, () => item);
    }
    default:
      return objectExample(document, schema, depth);
  }
}

/** An example value for `schema`; `name` (the property's) is used for free-form strings. */
export function exampleFor(document: OpenApiDocument, schema: JsonSchema, name = ''): unknown {
  return example(document, schema, name, 0);
}
