/**
 * HTTP Basic client credentials as RFC 6749 section 2.3.1 defines them (RFC 7617 framing, each
 * part form-urlencoded first), and the start-up checks on `introspection.clients`.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createClientAuthenticator, parseBasicCredentials } from './client-credentials.ts';

const b64 = (text: string | Buffer): string => Buffer.from(text).toString('base64');

describe('client credentials (RFC 6749 section 2.3.1, RFC 7617)', () => {
  it('decodes the RFC 7617 example', () => {
    expect(parseBasicCredentials('Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==')).toEqual({ clientId: 'Aladdin', clientSecret: 'open sesame' });
  });

  it('treats the scheme name case-insensitively (RFC 9110 section 11.1)', () => {
    expect(parseBasicCredentials(`basic ${b64('a:b')}`)).toEqual({ clientId: 'a', clientSecret: 'b' });
    expect(parseBasicCredentials(`BASIC ${b64('a:b')}`)).toEqual({ clientId: 'a', clientSecret: 'b' });
  });

  it('form-decodes each part: %3A is a colon inside the id, + is a space', () => {
    expect(parseBasicCredentials(`Basic ${b64('svc%3Ab:p%40ss+word%2B')}`)).toEqual({ clientId: 'svc:b', clientSecret: 'p@ss word+' });
  });

  it('splits at the first colon, so a raw colon stays in the secret', () => {
    expect(parseBasicCredentials(`Basic ${b64('billing:a:b')}`)).toEqual({ clientId: 'billing', clientSecret: 'a:b' });
  });

  it.each([
    ['no header', undefined],
    ['another scheme', `Bearer ${b64('a:b')}`],
    ['no credentials', 'Basic'],
    ['no colon', `Basic ${b64('billing')}`],
    ['an empty id', `Basic ${b64(':secret')}`],
    ['an empty secret', `Basic ${b64('billing:')}`],
    ['not base64', 'Basic not*base64!'],
    ['base64 with bad padding', 'Basic YTpi='],
    ['two tokens', `Basic ${b64('a:b')} ${b64('c:d')}`],
    ['invalid UTF-8', `Basic ${b64(Buffer.from([0x61, 0x3a, 0xff, 0xfe]))}`],
    ['a malformed percent-encoding', `Basic ${b64('a:%zz')}`],
    ['an overlong value', `Basic ${b64(`a:${'x'.repeat(2000)}`)}`],
  ])('refuses %s', (_case, header) => {
    expect(parseBasicCredentials(header)).toBeUndefined();
  });
});

describe('introspection.clients checks at start-up', () => {
  const hash = createHash('sha256').update('s').digest('hex');

  it('refuses a secretHash that is not a SHA-256 in hex (e.g. the secret itself)', () => {
    expect(() => createClientAuthenticator({ clients: [{ id: 'billing', secretHash: 'test-fixture-secret' }] })).toThrow(TypeError);
    expect(() => createClientAuthenticator({ clients: [{ id: 'billing', secretHash: hash.slice(1) }] })).toThrow(TypeError);
  });

  it('refuses the same client id twice', () => {
    expect(() =>
      createClientAuthenticator({
        clients: [
          { id: 'billing', secretHash: hash },
          { id: 'billing', secretHash: hash.toUpperCase() },
        ],
      }),
    ).toThrow(/more than once/);
  });

  it('never puts a secret hash into the error', () => {
    expect(() => createClientAuthenticator({ clients: [{ id: 'billing', secretHash: 'zz-not-hex' }] })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('zz-not-hex') as string }) as Error,
    );
  });
});
