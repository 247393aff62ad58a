/**
 * The guard's cache of positive introspection answers: it bounds how long a revoked token can
 * still be accepted by a service (ASVS V7.4.1) — never longer than its TTL (≤ 30 s), never past
 * the token's own expiry — and 0 turns it off.
 */
import { describe, expect, it } from 'vitest';
import { manualClock } from '../platform/clock/clock.ts';
import { createIntrospectionCache, type ActiveToken } from './introspection-cache.ts';

const START = Date.UTC(2026, 0, 1);
const active = (expiresAt: number): ActiveToken => ({
  subject: 'acc',
  sessionId: 'se',
  expiresAt,
  jkt: 'jkt',
  acr: 'aal1',
  amr: ['pwd'],
  roles: [],
});

describe('introspection cache', () => {
  it('keeps a positive answer for the TTL, then forgets it', () => {
    const clock = manualClock(START);
    const cache = createIntrospectionCache({ ttlSeconds: 30, now: () => clock.now() });
    cache.set('token', active(START / 1000 + 600));
    clock.advance(29_999);
    expect(cache.get('token')?.subject).toBe('acc');
    clock.advance(1);
    expect(cache.get('token')).toBeUndefined();
  });

  it('never keeps an answer past the token expiry', () => {
    const clock = manualClock(START);
    const cache = createIntrospectionCache({ ttlSeconds: 30, now: () => clock.now() });
    cache.set('token', active(START / 1000 + 5));
    clock.advance(5_000);
    expect(cache.get('token')).toBeUndefined();
    cache.set('expired', active(START / 1000));
    expect(cache.get('expired')).toBeUndefined();
  });

  it('caches nothing with a TTL of 0', () => {
    const cache = createIntrospectionCache({ ttlSeconds: 0 });
    cache.set('token', active(Date.now() / 1000 + 600));
    expect(cache.get('token')).toBeUndefined();
  });

  it('tells tokens apart and stays within its bound, dropping the oldest', () => {
    const clock = manualClock(START);
    const cache = createIntrospectionCache({ maxEntries: 2, now: () => clock.now() });
    cache.set('a', { ...active(START / 1000 + 600), subject: 'A' });
    cache.set('b', { ...active(START / 1000 + 600), subject: 'B' });
    cache.set('c', { ...active(START / 1000 + 600), subject: 'C' });
    expect([cache.get('a'), cache.get('b')?.subject, cache.get('c')?.subject]).toEqual([undefined, 'B', 'C']);
  });

  it.each([
    ['a TTL above 30 s', { ttlSeconds: 31 }],
    ['a negative TTL', { ttlSeconds: -1 }],
    ['a fractional TTL', { ttlSeconds: 1.5 }],
    ['no room', { maxEntries: 0 }],
  ])('refuses %s (TypeError)', (_case, options) => {
    expect(() => createIntrospectionCache(options)).toThrow(TypeError);
  });
});
