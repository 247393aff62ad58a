/**
 * DPoP RFC 9449 spec vectors: the example proofs of figure 2 (token request, section 4.1) and
 * figure 13 (resource request with `ath`, section 7.1) verify as published, their key has the
 * `jkt` of section 6.1, the access token of section 7.1 hashes to its `ath`; and the RFC 3986
 * section 6.2.2-6.2.3 equivalences the `htu` comparison applies (section 4.3 step 9).
 */
import { describe, expect, it } from 'vitest';
import { jwkThumbprint, sha256Base64Url } from '../../../platform/crypto/jwk.ts';
import { buildHtu, normalizeHtu } from './htu.ts';
import { createTestClock, createTestDPoPVerifier } from '../../../test-support/dpop-proof.ts';

/** RFC 9449 figure 2: proof for `POST https://server.example.com/token`, iat 1562262616. */
const FIGURE_2 =
  'eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19' +
  '.eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ' +
  '.2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg';

/** RFC 9449 figure 13: proof for `GET https://resource.example.org/protectedresource` with `ath`, iat 1562262618. */
const FIGURE_13 =
  'eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19' +
  '.eyJqdGkiOiJlMWozVl9iS2ljOC1MQUVCIiwiaHRtIjoiR0VUIiwiaHR1IjoiaHR0cHM6Ly9yZXNvdXJjZS5leGFtcGxlLm9yZy9wcm90ZWN0ZWRyZXNvdXJjZSIsImlhdCI6MTU2MjI2MjYxOCwiYXRoIjoiZlVIeU8ycjJaM0RaNTNFc05yV0JiMHhXWG9hTnk1OUlpS0NBcWtzbVFFbyJ9' +
  '.2oW9RP35yRqzhrtNP86L-Ey71EOptxRimPPToA1plemAgR6pxHF8y6-yqyVnmcw6Fy1dqd-jfxSYoMxhAJpLjA';

/** RFC 9449 section 6.1: the thumbprint of the example key. */
const EXAMPLE_JKT = '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I';
/** RFC 9449 section 7.1: the example access token and its `ath`. */
const EXAMPLE_ACCESS_TOKEN = 'Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU';
const EXAMPLE_ATH = 'fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo';

function verifierAt(iat: number) {
  return createTestDPoPVerifier({ clock: createTestClock(iat * 1000), config: { nonce: { enabled: false } } }).verifier;
}

describe('DPoP RFC 9449 examples', () => {
  it('section 6.1: the example key has the published jkt', () => {
    expect(
      jwkThumbprint({
        kty: 'EC',
        crv: 'P-256',
        x: 'l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs',
        y: '9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA',
      }),
    ).toBe(EXAMPLE_JKT);
  });

  it('section 7.1: ath is base64url(SHA-256(access token))', () => {
    expect(sha256Base64Url(EXAMPLE_ACCESS_TOKEN)).toBe(EXAMPLE_ATH);
  });

  it('figure 2: the token-request proof verifies', async () => {
    const result = await verifierAt(1562262616).verify(FIGURE_2, { method: 'POST', htu: 'https://server.example.com/token' });
    expect(result).toEqual({ jkt: EXAMPLE_JKT, jti: '-BwC3ESc6acc2lTc', iat: 1562262616 });
  });

  it('figure 13: the resource-request proof verifies with the example access token', async () => {
    const result = await verifierAt(1562262618).verify(FIGURE_13, {
      method: 'GET',
      htu: 'https://resource.example.org/protectedresource',
      accessToken: EXAMPLE_ACCESS_TOKEN,
    });
    expect(result).toEqual({ jkt: EXAMPLE_JKT, jti: 'e1j3V_bKic8-LAEB', iat: 1562262618 });
  });

  it('figure 13 is refused with any other access token, and figure 2 long after its iat', async () => {
    const request = { method: 'GET', htu: 'https://resource.example.org/protectedresource', accessToken: `${EXAMPLE_ACCESS_TOKEN}x` };
    await expect(verifierAt(1562262618).verify(FIGURE_13, request)).rejects.toMatchObject({ detail: 'ath mismatch' });
    await expect(
      verifierAt(1562262616 + 3600).verify(FIGURE_2, { method: 'POST', htu: 'https://server.example.com/token' }),
    ).rejects.toMatchObject({
      detail: 'iat too old',
    });
  });
});

describe('htu normalization RFC 3986 section 6.2.2-6.2.3 (RFC 9449 section 4.3 step 9)', () => {
  it.each([
    // 6.2.2.1 case: scheme and host are case-insensitive, percent-encodings upper-case
    ['HTTPS://Server.Example.COM/token', 'https://server.example.com/token'],
    ['https://server.example.com/a%2fb', 'https://server.example.com/a%2Fb'],
    // 6.2.2.2 percent-encoding: unreserved characters decoded
    ['https://server.example.com/%7Euser/%41%2D%5F%2E', 'https://server.example.com/~user/A-_.'],
    // 6.2.2.3 dot segments
    ['https://server.example.com/a/./b/../c', 'https://server.example.com/a/c'],
    ['https://server.example.com/a/%2e%2E/c', 'https://server.example.com/c'],
    // 6.2.3 scheme-based: default port, empty path
    ['https://server.example.com:443/token', 'https://server.example.com/token'],
    ['http://server.example.com:80/token', 'http://server.example.com/token'],
    ['https://server.example.com', 'https://server.example.com/'],
    ['https://server.example.com:8443/token', 'https://server.example.com:8443/token'],
    // RFC 9449 section 4.2: without query and fragment
    ['https://server.example.com/token?a=1&b=2#frag', 'https://server.example.com/token'],
    // Path case is significant
    ['https://server.example.com/Token', 'https://server.example.com/Token'],
    // IPv6 literal and internationalized host
    ['https://[::1]:443/x', 'https://[::1]/x'],
    ['https://bücher.example/x', 'https://xn--bcher-kva.example/x'],
  ])('%s ≡ %s', (input, normal) => {
    expect(normalizeHtu(input)).toBe(normal);
  });

  it.each([
    '/token',
    'server.example.com/token',
    'ftp://server.example.com/token',
    'https://user:pass@server.example.com/token',
    'https://',
    '',
  ])('has no normal form for %j', (input) => {
    expect(normalizeHtu(input)).toBeUndefined();
  });

  it('buildHtu joins the public origin and the request path, dropping the query', () => {
    expect(buildHtu('https://Auth.Example.com:443', '/v1/sessions/current?expand=device')).toBe(
      'https://auth.example.com/v1/sessions/current',
    );
    expect(buildHtu('https://auth.example.com/', '/')).toBe('https://auth.example.com/');
  });
});
