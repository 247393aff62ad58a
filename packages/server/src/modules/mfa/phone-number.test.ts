/**
 * Masking of phone numbers and email addresses (ASVS V14.2.6: show only what is needed to
 * recognise one's own): the country code by the ITU-T E.164 assignments and the last three
 * digits of a number; the first character and the domain of an address.
 */
import { describe, expect, it } from 'vitest';
import { countryCodeLength, maskEmailAddress, maskPhoneNumber } from './phone-number.ts';

describe('phone number masking', () => {
  it.each([
    ['+447700900123', '+44•••••••123'],
    ['+12025550123', '+1•••••••123'],
    ['+79161234567', '+7•••••••567'],
    ['+4915123456789', '+49••••••••789'],
    ['+353861234567', '+353••••••567'],
    ['+8613812345678', '+86••••••••678'],
    ['+5511987654321', '+55••••••••321'],
    ['+2348012345678', '+234•••••••678'],
    ['+3541234', '+354•234'],
  ])('%s → %s', (number, masked) => {
    expect(maskPhoneNumber(number)).toBe(masked);
  });

  it('reads country codes as the prefix code E.164 assigns (1 and 7; the two-digit list; three digits otherwise)', () => {
    expect(
      ['+15555550100', '+74951234567', '+201001234567', '+919812345678', '+9715012345678', '+3801234567'].map(countryCodeLength),
    ).toEqual([1, 1, 2, 2, 3, 3]);
    expect(() => countryCodeLength('07700900123')).toThrow(TypeError);
  });

  it('masks email addresses to the first character and the domain', () => {
    expect(maskEmailAddress('ada@example.com')).toBe('a•••@example.com');
    expect(maskEmailAddress('ü@example.org')).toBe('ü•••@example.org');
    expect(() => maskEmailAddress('@example.com')).toThrow(TypeError);
  });
});
