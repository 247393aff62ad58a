/**
 * `buildHtu`: the expected `htu` comes from the configured public origin and the request path
 * only (RFC 9449 section 4.3 step 9), whatever the path looks like, and a misconfigured public
 * URL is a programming error.
 */
import { describe, expect, it } from 'vitest';
import { buildHtu, normalizeHtu } from './htu.ts';

describe('buildHtu', () => {
  it('keeps a path that looks like a network-path reference on our host', () => {
    expect(buildHtu('https://api.example.test', '//evil.example/v1/me')).toBe('https://api.example.test//evil.example/v1/me');
  });

  it('drops the query and fragment of the request target', () => {
    expect(buildHtu('https://api.example.test', '/v1/me?x=1#f')).toBe('https://api.example.test/v1/me');
    expect(buildHtu('https://api.example.test', '/v1/me#f?x=1')).toBe('https://api.example.test/v1/me');
  });

  it('normalizes the path the same way as the claim', () => {
    const path = '/v1/%7euser/a%2fb/./c';
    expect(buildHtu('https://api.example.test', path)).toBe(normalizeHtu(`https://api.example.test${path}`));
  });

  it('answers the same for repeated calls and for a different public URL', () => {
    expect(buildHtu('https://a.example.test', '/x')).toBe('https://a.example.test/x');
    expect(buildHtu('https://a.example.test', '/y')).toBe('https://a.example.test/y');
    expect(buildHtu('https://b.example.test:8443', '/x')).toBe('https://b.example.test:8443/x');
  });

  it('uses only the path of an absolute-form request target, never its authority (RFC 9112 section 3.2.2)', () => {
    expect(buildHtu('https://api.example.test', 'http://evil.example:8080/v1/me?x=1')).toBe('https://api.example.test/v1/me');
    expect(buildHtu('https://api.example.test', 'HTTPS://evil.example')).toBe('https://api.example.test/');
  });

  it.each([
    ['a path without a leading slash', 'https://api.example.test', 'v1/me'],
    ['the asterisk form', 'https://api.example.test', '*'],
    ['an absolute URL of another scheme', 'https://api.example.test', 'ftp://evil.example/v1/me'],
    ['a relative public URL', 'api.example.test', '/v1/me'],
    ['a public URL with a path', 'https://api.example.test/auth', '/v1/me'],
    ['a public URL with a query', 'https://api.example.test/?x=1', '/v1/me'],
    ['a public URL with credentials', 'https://u:p@api.example.test', '/v1/me'],
    ['a non-HTTP public URL', 'ftp://api.example.test', '/v1/me'],
  ])('throws TypeError for %s (misuse)', (_name, publicUrl, path) => {
    expect(() => buildHtu(publicUrl, path)).toThrow(TypeError);
  });
});
