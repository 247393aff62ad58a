/**
 * Stateless DPoP nonces (RFC 9449 section 8): valid in their window and the next, shared by every
 * instance holding the same key ring, unforgeable without the `dpop-nonce` key, and invalidated
 * by rotating that key.
 */
import { describe, expect, it } from 'vitest';
import { generateKeyRingFile, keyRingFromFile, type KeyRing } from '../../../platform/crypto/key-ring.ts';
import { createDPoPNonces } from './nonce.ts';
import { createTestClock } from '../../../test-support/dpop-proof.ts';

const LIFETIME = 300;

function ring(): KeyRing {
  return keyRingFromFile(generateKeyRingFile({ development: true }), 'test');
}

describe('DPoP nonces', () => {
  it('issue one 22-character base64url nonce per window', () => {
    const clock = createTestClock(Date.UTC(2026, 0, 1));
    const nonces = createDPoPNonces({ keyRing: ring(), lifetimeSeconds: LIFETIME, now: clock.now });
    const first = nonces.current();
    expect(first).toMatch(/^[A-Za-z0-9_-]{22}$/);
    clock.advance(LIFETIME * 1000 - 1);
    expect(nonces.current()).toBe(first);
    clock.advance(1);
    expect(nonces.current()).not.toBe(first);
  });

  it('accept the current and the previous window only', () => {
    const clock = createTestClock(Date.UTC(2026, 0, 1));
    const nonces = createDPoPNonces({ keyRing: ring(), lifetimeSeconds: LIFETIME, now: clock.now });
    const issued = nonces.current();
    expect(nonces.isValid(issued)).toBe(true);
    clock.advance(LIFETIME * 1000);
    expect(nonces.isValid(issued)).toBe(true);
    clock.advance(LIFETIME * 1000);
    expect(nonces.isValid(issued)).toBe(false);
  });

  it('do not accept a nonce from a future window (not yet issued)', () => {
    const clock = createTestClock(Date.UTC(2026, 0, 1));
    const keyRing = ring();
    const later = createDPoPNonces({ keyRing, lifetimeSeconds: LIFETIME, now: () => clock.now() + 2 * LIFETIME * 1000 });
    const nonces = createDPoPNonces({ keyRing, lifetimeSeconds: LIFETIME, now: clock.now });
    expect(nonces.isValid(later.current())).toBe(false);
  });

  it('are accepted by every instance sharing the key ring and by no other', () => {
    const clock = createTestClock();
    const keyRing = ring();
    const a = createDPoPNonces({ keyRing, lifetimeSeconds: LIFETIME, now: clock.now });
    const b = createDPoPNonces({ keyRing, lifetimeSeconds: LIFETIME, now: clock.now });
    const other = createDPoPNonces({ keyRing: ring(), lifetimeSeconds: LIFETIME, now: clock.now });
    expect(b.isValid(a.current())).toBe(true);
    expect(other.isValid(a.current())).toBe(false);
  });

  it('are invalidated when the dpop-nonce key changes', () => {
    const clock = createTestClock();
    let current = ring();
    const nonces = createDPoPNonces({ keyRing: { key: (purpose) => current.key(purpose) }, lifetimeSeconds: LIFETIME, now: clock.now });
    const before = nonces.current();
    current = ring();
    expect(nonces.isValid(before)).toBe(false);
    expect(nonces.current()).not.toBe(before);
  });

  it('refuse a non-positive lifetime (misuse)', () => {
    expect(() => createDPoPNonces({ keyRing: ring(), lifetimeSeconds: 0, now: Date.now })).toThrow(TypeError);
  });
});
