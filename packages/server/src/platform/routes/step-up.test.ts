/**
 * The pure parts of the step-up door: what a step-up commits to (the action digest) and when
 * the session's own authentication is fresh enough to need none (OIDC `max_age` semantics).
 * The door itself is tested end to end in modules/step-up. ASVS V7.5.3.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Principal } from './principal.ts';
import { actionDigest, isFreshEnough } from './step-up.ts';

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('base64url');

describe('actionDigest', () => {
  const base = { method: 'POST', url: '/v1/fixture/transfers', body: { to: 'clinic', amount: 10 } };

  it('is SHA-256 over the canonical JSON of (encoding, method, path, query, SHA-256 of the canonical body)', () => {
    const bodyDigest = sha256('{"amount":10,"to":"clinic"}');
    const expected = sha256(`["portcullis-step-up-action/1","POST","/v1/fixture/transfers","dryRun=true","${bodyDigest}"]`);
    expect(actionDigest({ ...base, url: '/v1/fixture/transfers?dryRun=true' })).toBe(expected);
  });

  it('gives the same digest for the same request, whatever the order of the body’s keys', () => {
    expect(actionDigest({ ...base, body: { amount: 10, to: 'clinic' } })).toBe(actionDigest(base));
    expect(actionDigest({ ...base, body: { a: { y: 1, x: [2, { d: 1, c: 2 }] } } })).toBe(
      actionDigest({ ...base, body: { a: { x: [2, { c: 2, d: 1 }], y: 1 } } }),
    );
  });

  it('gives another digest for any other method, path, query, or body', () => {
    const variants = [
      base,
      { ...base, method: 'PUT' },
      { ...base, url: '/v1/fixture/transfers/' },
      { ...base, url: '/v1/fixture/Transfers' },
      { ...base, url: '/v1/fixture/transfers?dryRun=true' },
      { ...base, url: '/v1/fixture/transfers?dryRun=false' },
      { ...base, url: '/v1/fixture/transfers%3FdryRun=true' },
      { ...base, body: { to: 'clinic', amount: 11 } },
      { ...base, body: { to: 'clinic', amount: 10, memo: '' } },
      { ...base, body: [{ to: 'clinic', amount: 10 }] },
      { ...base, body: {} },
      { ...base, body: undefined },
      { ...base, body: 'to=clinic&amount=10' },
      { ...base, body: Buffer.from('to=clinic&amount=10') },
    ];
    expect(new Set(variants.map((request) => actionDigest(request))).size).toBe(variants.length);
  });

  it('treats a missing body and a JSON null body alike, and an empty query string and none alike', () => {
    expect(actionDigest({ ...base, body: undefined })).toBe(actionDigest({ ...base, body: null }));
    expect(actionDigest({ ...base, url: '/v1/fixture/transfers?' })).toBe(actionDigest(base));
  });
});

describe('isFreshEnough', () => {
  const now = Date.UTC(2026, 0, 1, 12);
  const principal = (aal: Principal['aal'], ageSeconds?: number): Principal => ({
    accountId: 'a',
    sessionId: 's',
    aal,
    amr: [],
    roles: [],
    permissions: new Set(),
    ...(ageSeconds === undefined ? {} : { authTime: now - ageSeconds * 1000 }),
  });

  it('accepts a session that authenticated at the level or above within the maximum age', () => {
    expect(isFreshEnough(principal('aal2', 300), { maxAgeSeconds: 300, level: 'aal2' }, now)).toBe(true);
    expect(isFreshEnough(principal('aal2_phr', 10), { maxAgeSeconds: 300, level: 'aal2' }, now)).toBe(true);
    expect(isFreshEnough(principal('aal2_phr', 10), { maxAgeSeconds: 300, level: 'aal2_phr' }, now)).toBe(true);
  });

  it('refuses an older authentication, a lower level, no auth_time, a future auth_time, and maxAge 0', () => {
    expect(isFreshEnough(principal('aal2', 301), { maxAgeSeconds: 300, level: 'aal2' }, now)).toBe(false);
    expect(isFreshEnough(principal('aal1', 0), { maxAgeSeconds: 300, level: 'aal2' }, now)).toBe(false);
    expect(isFreshEnough(principal('aal2', 0), { maxAgeSeconds: 300, level: 'aal2_phr' }, now)).toBe(false);
    expect(isFreshEnough(principal('aal2'), { maxAgeSeconds: 300, level: 'aal2' }, now)).toBe(false);
    expect(isFreshEnough(principal('aal2', -5), { maxAgeSeconds: 300, level: 'aal2' }, now)).toBe(false);
    expect(isFreshEnough(principal('aal2_phr', 0), { maxAgeSeconds: 0, level: 'aal2' }, now)).toBe(false);
  });
});
