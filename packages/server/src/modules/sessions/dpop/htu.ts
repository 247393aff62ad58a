/**
 * @module modules/sessions/dpop/htu
 *
 * The `htu` comparison of RFC 9449 (section 4.2: the target URI "without query and fragment
 * parts"; section 4.3 step 9). Both sides are reduced to one normal form before an exact string
 * comparison: RFC 3986 section 6.2.2 syntax-based normalization (case of scheme and host,
 * upper-case percent-encodings, decoded unreserved characters, dot segments) and section 6.2.3
 * scheme-based normalization (default port, empty path as `/`). The expected side is built from
 * the configured public URL, never from the `Host` header, which a client or proxy controls.
 */

/** `%41` → `A`: unreserved characters (RFC 3986 section 2.3) are equivalent to their encodings. */
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

function normalizePercentEncoding(path: string): string {
  if (!path.includes('%')) return path;
  return path.replace(/%[0-9A-Fa-f]{2}/g, (encoded) => {
    const char = String.fromCharCode(Number.parseInt(encoded.slice(1), 16));
    return UNRESERVED.test(char) ? char : encoded.toUpperCase();
  });
}

/**
 * The normal form of an absolute `http(s)` URI for `htu` comparison, or `undefined` when `value`
 * is not one (relative, another scheme, or carrying userinfo, which an HTTP target URI never has:
 * RFC 9110 section 4.2.4). Query and fragment are dropped (RFC 9449 section 4.2).
 *
 * @example
 *   normalizeHtu('HTTPS://API.Example.com:443/v1/%7euser?x=1#f'); // 'https://api.example.com/v1/~user'
 */
export function normalizeHtu(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  // WHATWG URL already lower-cases scheme and host, drops the default port, resolves dot
  // segments (also `%2e`) and turns an empty path into `/`; `origin` omits userinfo and query.
  return `${url.origin}${normalizePercentEncoding(url.pathname)}`;
}

let lastPublicUrl: string | undefined;
let lastOrigin = '';

function originOf(publicUrl: string): string {
  if (publicUrl === lastPublicUrl) return lastOrigin;
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    throw new TypeError('buildHtu: publicUrl is not an absolute URL');
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '') {
    throw new TypeError('buildHtu: publicUrl must be an http(s) URL without credentials');
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    // A path prefix would make the htu depend on whether the proxy strips it; refuse the ambiguity.
    throw new TypeError('buildHtu: publicUrl must be an origin (no path, query or fragment)');
  }
  lastPublicUrl = publicUrl;
  lastOrigin = url.origin;
  return lastOrigin;
}

/** The path of an absolute-form request target (`GET http://host/path HTTP/1.1`), or undefined. */
function absoluteFormPath(target: string): string | undefined {
  if (!/^https?:\/\//i.test(target)) return undefined;
  try {
    return new URL(target).pathname;
  } catch {
    return undefined;
  }
}

/**
 * The `htu` a proof for this request must carry: the configured public origin plus the request
 * path, without query or fragment, normalized like `normalizeHtu`. Pass the raw request target
 * (`request.url` in Fastify). Node and Fastify also route absolute-form targets
 * (RFC 9112 section 3.2.2, `GET http://any.host/v1/me`); only their path is used, because the
 * authority is always the configured one, never one the client names.
 *
 * @param publicUrl `config.publicUrl`, e.g. `https://auth.example.com`.
 * @param path The request target, e.g. `/v1/sessions?x=1`.
 * @throws {TypeError} when `publicUrl` is not an http(s) origin, or `path` is neither origin-form
 *   nor absolute-form (such a request is never routed to a handler).
 * @example
 *   buildHtu('https://Auth.Example.com:443', '/v1/sessions/current?expand=device');
 *   // 'https://auth.example.com/v1/sessions/current'
 */
export function buildHtu(publicUrl: string, path: string): string {
  const origin = originOf(publicUrl);
  const target = path.startsWith('/') ? path : absoluteFormPath(path);
  if (target === undefined) throw new TypeError('buildHtu: path must be an origin-form or absolute-form request target');
  const end = target.search(/[?#]/);
  // Concatenating (not `new URL(path, base)`) keeps `//evil.example/x` a path on our host.
  const htu = normalizeHtu(origin + (end === -1 ? target : target.slice(0, end)));
  if (htu === undefined) throw new TypeError('buildHtu: path does not form a valid URL');
  return htu;
}
