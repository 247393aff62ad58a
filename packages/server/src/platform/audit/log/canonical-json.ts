/**
 * @module platform/audit/log/canonical-json
 *
 * Canonical JSON in the manner of RFC 8785 (JCS) for the simple values audit entries use:
 * object keys sorted by UTF-16 code units, no whitespace, strings and numbers serialised as
 * ECMAScript `JSON.stringify` does (which is what RFC 8785 specifies for them). One value has
 * exactly one encoding, so a verifier recomputes the very bytes that were hashed.
 */

export type CanonicalValue = string | number | boolean | null | readonly CanonicalValue[] | { readonly [key: string]: CanonicalValue };

/** The canonical encoding of `value`; throws `TypeError` for values JSON cannot represent exactly. */
export function canonicalJSON(value: CanonicalValue): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    // NaN and ±Infinity have no JSON form; JSON.stringify would silently write null.
    if (!Number.isFinite(value)) throw new TypeError('canonical JSON has no encoding for a non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item: CanonicalValue) => canonicalJSON(item)).join(',')}]`;
  const object = value as { readonly [key: string]: CanonicalValue };
  // Default sort order compares UTF-16 code units, as RFC 8785 section 3.2.3 requires.
  const members = Object.keys(object)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJSON(object[key] as CanonicalValue)}`);
  return `{${members.join(',')}}`;
}
