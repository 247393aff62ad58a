/**
 * @module http/www-authenticate
 *
 * Reads the auth-params of a `WWW-Authenticate` header (RFC 9110 §11.6.1): `error`,
 * `error_description`, `acr_values`, `max_age`, … as a name → value map, quoted strings
 * unescaped. The first occurrence of a name wins (a second challenge in the same header does not
 * override the first). Never throws on a malformed header: it just yields fewer params. Internal.
 */

/** `name=token` or `name="quoted \" string"`, separated by commas and spaces. */
const AUTH_PARAM = /([A-Za-z_][\w-]*)[ \t]*=[ \t]*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]+))/g;

/** The auth-params of the response's `WWW-Authenticate` header (empty when there is none). */
export function wwwAuthenticateParams(response: Response): ReadonlyMap<string, string> {
  const params = new Map<string, string>();
  const header = response.headers.get('www-authenticate');
  if (header === null) return params;
  for (const match of header.matchAll(AUTH_PARAM)) {
    const [, name = '', quoted, token = ''] = match;
    const value = quoted === undefined ? token : quoted.replace(/\\(.)/g, '$1');
    if (!params.has(name.toLowerCase())) params.set(name.toLowerCase(), value);
  }
  return params;
}
