/**
 * A client must call the server by its public URL: DPoP proofs name it (RFC 9449 `htu`). A
 * client that follows the address the server binds to instead (`https://127.0.0.1:8443` rather
 * than `https://localhost:8443`) is refused with `AUTH_DPOP_INVALID`, and the refusal says which
 * URL its proofs must name (the configured public origin only, see verify-proof.security.test.ts);
 * other refusals carry no such hint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryTokenStore, PortcullisClient, isApiError } from '@portcullis/sdk';
import type { RunningServer } from './server.ts';
import { startRealTestServer } from './test-support/real-server.ts';
import { generateTestDPoPKey, signTestProof } from './test-support/dpop-proof.ts';

describe('a client that does not use the public URL', () => {
  let server: RunningServer;
  let publicUrl: string;
  let boundUrl: string;
  beforeAll(async () => {
    ({ server, baseUrl: publicUrl } = await startRealTestServer({ host: 'localhost' }));
    boundUrl = publicUrl.replace('//localhost:', '//127.0.0.1:');
  });
  afterAll(() => server.close());

  const device = { label: 'Wrong address', platform: 'web' as const };

  it('is refused with AUTH_DPOP_INVALID naming the public URL its proofs must carry', async () => {
    const client = new PortcullisClient({ baseUrl: boundUrl, tokenStore: new MemoryTokenStore() });
    const error: unknown = await client
      .signIn({ email: 'pat@example.test', password: 'correct horse battery staple', device })
      .catch((e: unknown) => e);
    expect(isApiError(error, 'AUTH_DPOP_INVALID')).toBe(true);
    expect(error).toMatchObject({
      status: 401,
      detail: `DPoP proofs must name this server's public URL, ${publicUrl}, followed by the request path (htu).`,
    });
  });

  it('with the public URL, the same client is answered normally', async () => {
    const client = new PortcullisClient({ baseUrl: publicUrl, tokenStore: new MemoryTokenStore() });
    const error: unknown = await client
      .signIn({ email: 'pat@example.test', password: 'correct horse battery staple', device })
      .catch((e: unknown) => e);
    expect(isApiError(error, 'AUTH_INVALID_CREDENTIALS')).toBe(true);
  });

  it('other proof refusals carry no public detail', async () => {
    const key = generateTestDPoPKey();
    const proof = signTestProof(key, { htm: 'POST', htu: `${publicUrl}/v1/sessions`, iat: Math.floor(Date.now() / 1000) - 3600 });
    const response = await fetch(`${publicUrl}/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', dpop: proof },
      body: JSON.stringify({ email: 'pat@example.test', password: 'correct horse battery staple', device }),
    });
    const problem = (await response.json()) as { code: string; detail?: string };
    expect(problem.code).toBe('AUTH_DPOP_INVALID');
    expect(problem.detail).toBeUndefined();
  });
});
