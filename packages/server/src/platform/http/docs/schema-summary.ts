/**
 * @module platform/http/docs/schema-summary
 *
 * What one JSON Schema node says, in words a reader scans: its type (`string (email)`, `array of
 * string`, `Problem`) and its constraints (`one of: ios, android`, `at most 64 characters`). The
 * schemas come from TypeBox, so a literal union arrives as `anyOf` of single-value enums and is
 * shown as the enumeration it is.
 */
import { refName, type JsonSchema } from './document.ts';

/** The alternatives of a union, or none. */
export function variantsOf(schema: JsonSchema): readonly JsonSchema[] | undefined {
  return schema.anyOf ?? schema.oneOf;
}

/** The allowed values when the node is an enumeration (`enum`, `const`, or a union of them). */
export function enumValues(schema: JsonSchema): readonly unknown[] | undefined {
  if (schema.enum !== undefined) return schema.enum;
  if ('const' in schema) return [schema.const];
  const variants = variantsOf(schema);
  if (variants === undefined || variants.length === 0) return undefined;
  const values: unknown[] = [];
  for (const variant of variants) {
    const own = variant.anyOf === undefined && variant.oneOf === undefined ? enumValues(variant) : undefined;
    if (own === undefined) return undefined;
    values.push(...own);
  }
  return values;
}

/** Object properties only when the node is a map: no named properties, a schema for the values. */
export function mapValues(schema: JsonSchema): JsonSchema | undefined {
  const values = schema.additionalProperties;
  const named = Object.keys(schema.properties ?? {}).length > 0;
  return typeof values === 'object' && !named ? values : undefined;
}

function baseType(schema: JsonSchema): string {
  if (Array.isArray(schema.type)) return schema.type.join(' or ');
  if (typeof schema.type === 'string') return schema.type;
  const values = enumValues(schema);
  if (values !== undefined) return [...new Set(values.map((value) => (value === null ? 'null' : typeof value)))].join(' or ');
  if (schema.properties !== undefined) return 'object';
  return 'any';
}

export function typeLabel(schema: JsonSchema): string {
  if (schema.$ref !== undefined) return refName(schema.$ref) ?? schema.$ref;
  const variants = variantsOf(schema);
  if (variants !== undefined && enumValues(schema) === undefined) return variants.map(typeLabel).join(' or ');
  const type = baseType(schema);
  if (type === 'array') return `array of ${schema.items ? typeLabel(schema.items) : 'any'}`;
  const values = mapValues(schema);
  if (type === 'object' && values !== undefined) return `map of ${typeLabel(values)}`;
  return schema.format === undefined ? type : `${type} (${schema.format})`;
}

function range(min: number | undefined, max: number | undefined, unit: string): string | undefined {
  if (min !== undefined && max !== undefined) return min === max ? `exactly ${min} ${unit}` : `${min} to ${max} ${unit}`;
  if (min !== undefined && min > 0) return `at least ${min} ${unit}`;
  if (max !== undefined) return `at most ${max} ${unit}`;
  return undefined;
}

/** Each constraint as a short phrase; values that are code (patterns, enum members) are marked `code:`. */
export interface Constraint {
  readonly label: string;
  readonly code?: string;
}

export function constraintsOf(schema: JsonSchema): readonly Constraint[] {
  const constraints: Constraint[] = [];
  const values = enumValues(schema);
  if (values !== undefined)
    constraints.push({ label: values.length === 1 ? 'always' : 'one of', code: values.map((v) => JSON.stringify(v)).join(', ') });
  if (schema.pattern !== undefined) constraints.push({ label: 'pattern', code: schema.pattern });
  const length = range(schema.minLength, schema.maxLength, 'characters');
  if (length !== undefined) constraints.push({ label: length });
  if (schema.minimum !== undefined) constraints.push({ label: `minimum ${schema.minimum}` });
  if (schema.exclusiveMinimum !== undefined) constraints.push({ label: `greater than ${schema.exclusiveMinimum}` });
  if (schema.maximum !== undefined) constraints.push({ label: `maximum ${schema.maximum}` });
  if (schema.exclusiveMaximum !== undefined) constraints.push({ label: `less than ${schema.exclusiveMaximum}` });
  const items = range(schema.minItems, schema.maxItems, 'items');
  if (items !== undefined) constraints.push({ label: items });
  if (schema.uniqueItems === true) constraints.push({ label: 'no duplicates' });
  const properties = range(schema.minProperties, schema.maxProperties, 'properties');
  if (properties !== undefined) constraints.push({ label: properties });
  if (schema.default !== undefined) constraints.push({ label: 'default', code: JSON.stringify(schema.default) });
  if (schema['x-classification'] !== undefined) constraints.push({ label: `classification: ${schema['x-classification']}` });
  return constraints;
}
