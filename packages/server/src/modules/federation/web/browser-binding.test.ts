/**
 * The browser-binding cookie: attributes per response mode and strict parsing. ASVS V3.3.1
 * (`__Host-`, Secure), V3.3.2 (SameSite by purpose), V3.3.4 (HttpOnly).
 */
import { describe, expect, it } from 'vitest';
import {
  bindingCookieName,
  bindingHash,
  clearBindingCookie,
  newBindingValue,
  readBindingCookie,
  setBindingCookie,
} from './browser-binding.ts';

describe('browser-binding cookie', () => {
  it('is __Host-, host-only, Path=/, Secure, HttpOnly, with the SameSite the response mode needs', () => {
    expect(setBindingCookie('google', 'v', { sameSite: 'Lax', maxAgeSeconds: 600 })).toBe(
      '__Host-portcullis-federation-google=v; Path=/; Max-Age=600; Secure; HttpOnly; SameSite=Lax',
    );
    expect(setBindingCookie('apple', 'v', { sameSite: 'None', maxAgeSeconds: 600 })).toMatch(/; Secure; HttpOnly; SameSite=None$/);
    expect(clearBindingCookie('apple', 'None')).toMatch(/^__Host-portcullis-federation-apple=; Path=\/; Max-Age=0;/);
  });

  it('stores only a hash of a 256-bit random value', () => {
    const { value, hash } = newBindingValue();
    expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hash).toBe(bindingHash(value));
    expect(hash).not.toBe(value);
  });

  it('reads exactly one well-formed value and refuses duplicates (a planted second cookie)', () => {
    const value = newBindingValue().value;
    const name = bindingCookieName('google');
    expect(readBindingCookie(`a=b; ${name}=${value}`, 'google')).toBe(value);
    expect(readBindingCookie(`${name}=${value}; ${name}=${newBindingValue().value}`, 'google')).toBeUndefined();
    expect(readBindingCookie(`${name}=short`, 'google')).toBeUndefined();
    expect(readBindingCookie(`${bindingCookieName('apple')}=${value}`, 'google')).toBeUndefined();
    expect(readBindingCookie(undefined, 'google')).toBeUndefined();
  });
});
