/**
 * @module platform/http/docs/schema-table
 *
 * A schema as a table of fields: one row per property, nested objects, array items and union
 * alternatives flattened below their parent with their full path (`device.platform`,
 * `entries[].id`), so the table has a fixed three columns that wrap at any width instead of
 * nesting tables that overflow. `$ref` components are linked, not expanded (they are shown once
 * where they are described).
 */
import { escapeHtml } from '../html.ts';
import { resolveSchema, slug, type JsonSchema, type OpenApiDocument } from './document.ts';
import { constraintsOf, enumValues, mapValues, typeLabel, variantsOf } from './schema-summary.ts';
import { code, inlineText } from './text.ts';

interface FieldRow {
  readonly parent: string;
  readonly name: string;
  readonly depth: number;
  readonly required: boolean;
  readonly schema: JsonSchema;
}

/** Deeper levels are indented as far as the fourth; the path names the rest. */
const MAX_INDENT = 4;
/** Schemas here are finite trees, but a bound keeps a future recursive one from hanging the page. */
const MAX_DEPTH = 12;

function childRows(schema: JsonSchema, path: string, depth: number): FieldRow[] {
  if (depth > MAX_DEPTH || schema.$ref !== undefined) return [];
  if (schema.properties !== undefined) {
    const required = new Set(schema.required ?? []);
    return Object.entries(schema.properties).flatMap(([name, property]) => [
      { parent: path, name, depth, required: required.has(name), schema: property },
      ...childRows(property, `${path}${name}.`, depth + 1),
    ]);
  }
  if (schema.items !== undefined) return childRows(schema.items, `${path.slice(0, -1)}[].`, depth);
  const values = mapValues(schema);
  if (values !== undefined) return childRows(values, `${path}*.`, depth);
  const variants = variantsOf(schema);
  if (variants !== undefined && enumValues(schema) === undefined) {
    return variants.flatMap((variant, index) => {
      const nested = childRows(variant, path, depth + 1);
      if (nested.length === 0) return [];
      return [{ parent: path, name: `(option ${index + 1})`, depth, required: false, schema: variant }, ...nested];
    });
  }
  return [];
}

function typeCell(schema: JsonSchema): string {
  const type =
    schema.$ref === undefined
      ? escapeHtml(typeLabel(schema))
      : `<a href="#schema-${slug(typeLabel(schema))}">${escapeHtml(typeLabel(schema))}</a>`;
  const constraints = constraintsOf(schema).map(
    (constraint) => `<li>${escapeHtml(constraint.label)}${constraint.code === undefined ? '' : `: ${code(constraint.code)}`}</li>`,
  );
  return constraints.length === 0 ? type : `${type}<ul class="constraints">${constraints.join('')}</ul>`;
}

function rowHtml(row: FieldRow): string {
  const indent = `d${Math.min(row.depth, MAX_INDENT)}`;
  const parent = row.parent === '' ? '' : `<span class="parent">${escapeHtml(row.parent)}</span>`;
  const required = row.required ? ' <span class="required">required</span>' : '';
  const description = row.schema.description === undefined ? '' : inlineText(row.schema.description);
  return `<tr><td class="${indent}"><code>${parent}${escapeHtml(row.name)}</code>${required}</td><td>${typeCell(row.schema)}</td><td>${description}</td></tr>`;
}

/**
 * The body's description: a table of its fields for objects (and arrays of objects), otherwise a
 * line with its type and constraints.
 */
export function renderSchema(document: OpenApiDocument, schema: JsonSchema, caption: string): string {
  const resolved = schema.$ref === undefined ? schema : resolveSchema(document, schema);
  const rows = childRows(resolved, '', 0);
  const summary = `<p class="schema-type">${escapeHtml(caption)}: ${typeCell(schema)}${resolved.description === undefined ? '' : ` — ${inlineText(resolved.description)}`}</p>`;
  if (rows.length === 0) return summary;
  return `${summary}<table class="fields"><caption class="visually-hidden">${escapeHtml(caption)} fields</caption><thead><tr><th scope="col">Field</th><th scope="col">Type</th><th scope="col">Description</th></tr></thead><tbody>${rows.map(rowHtml).join('')}</tbody></table>`;
}
