/**
 * How the guard reads Portcullis' RFC 7662 answers and where it sends its credentials: only a
 * complete, DPoP-bound `active: true` answer lets a request through; anything odd fails closed.
 */
import { describe, expect, it } from 'vitest';
import { introspectionEndpoint, readIntrospectionAnswer } from './introspect.ts';

const ACTIVE = {
  active: true,
  sub: 'acc',
  sid: 'se',
  exp: 1_800_000_000,
  iat: 1_799_999_400,
  token_type: 'DPoP',
  cnf: { jkt: 'thumbprint' },
  acr: 'aal1',
  amr: ['pwd'],
  roles: ['patient'],
};

describe('reading an introspection answer (RFC 7662 section 2.2)', () => {
  it('accepts a complete active answer', () => {
    expect(readIntrospectionAnswer(ACTIVE)).toEqual({
      kind: 'active',
      token: {
        subject: 'acc',
        sessionId: 'se',
        expiresAt: 1_800_000_000,
        jkt: 'thumbprint',
        acr: 'aal1',
        amr: ['pwd'],
        roles: ['patient'],
      },
    });
  });

  it('reads { active: false } as inactive', () => {
    expect(readIntrospectionAnswer({ active: false })).toMatchObject({ kind: 'inactive' });
  });

  it.each([
    ['another token type', { ...ACTIVE, token_type: 'Bearer' }],
    ['no cnf', { ...ACTIVE, cnf: undefined }],
    ['an empty jkt', { ...ACTIVE, cnf: { jkt: '' } }],
  ])('refuses a token that is not DPoP-bound: %s', (_case, answer) => {
    expect(readIntrospectionAnswer(answer)).toEqual({ kind: 'inactive', detail: 'token not DPoP-bound' });
  });

  it.each([
    ['null', null],
    ['a string', 'active'],
    ['active as a string', { ...ACTIVE, active: 'true' }],
    ['no subject', { ...ACTIVE, sub: undefined }],
    ['a fractional exp', { ...ACTIVE, exp: 1.5 }],
    ['roles that are not strings', { ...ACTIVE, roles: [1] }],
    ['no amr', { ...ACTIVE, amr: undefined }],
  ])('treats a malformed answer as unavailable (fail closed): %s', (_case, answer) => {
    expect(readIntrospectionAnswer(answer)).toMatchObject({ kind: 'unavailable' });
  });
});

describe('introspection endpoint', () => {
  it('appends the RFC 7662 path to the Portcullis base URL', () => {
    expect(introspectionEndpoint('https://auth.example.test').href).toBe('https://auth.example.test/v1/oauth/introspect');
    expect(introspectionEndpoint('https://auth.example.test/').href).toBe('https://auth.example.test/v1/oauth/introspect');
    expect(introspectionEndpoint('https://gw.example.test/auth/').href).toBe('https://gw.example.test/auth/v1/oauth/introspect');
  });

  it.each([
    'http://auth.example.test',
    'http://10.0.0.5',
    'https://u:p@auth.example.test',
    'https://auth.example.test/?x=1',
    'ftp://auth.example.test',
    'auth',
  ])('refuses %s: client credentials travel over HTTPS only (or to loopback)', (url) => {
    expect(() => introspectionEndpoint(url)).toThrow(TypeError);
  });

  it.each(['http://127.0.0.1:8443', 'http://localhost:8443', 'http://[::1]:8443'])('allows plain HTTP to loopback: %s', (url) => {
    expect(() => introspectionEndpoint(url)).not.toThrow();
  });
});
