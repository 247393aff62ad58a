/**
 * @module modules/mfa/phone-number
 *
 * Phone numbers and email addresses as people may see them once stored: masked, so that a
 * screen, a screenshot or a support call shows enough to recognise one's own number and no more
 * (ASVS V14.2.6). Pure functions, no I/O.
 *
 * `+447700900123` → `+44•••••••123`: the country code (ITU-T E.164 assignments, which form a
 * prefix code: 1 and 7 have one digit, the codes listed below two, every other code three) and
 * the last three digits stay.
 */

/** E.164: `+`, country code and subscriber number, 7 to 15 digits in all. */
export const E164 = /^\+[1-9][0-9]{6,14}$/;

const ONE_DIGIT_CODES = new Set(['1', '7']);
const TWO_DIGIT_CODES = new Set([
  '20',
  '27',
  '30',
  '31',
  '32',
  '33',
  '34',
  '36',
  '39',
  '40',
  '41',
  '43',
  '44',
  '45',
  '46',
  '47',
  '48',
  '49',
  '51',
  '52',
  '53',
  '54',
  '55',
  '56',
  '57',
  '58',
  '60',
  '61',
  '62',
  '63',
  '64',
  '65',
  '66',
  '81',
  '82',
  '84',
  '86',
  '90',
  '91',
  '92',
  '93',
  '94',
  '95',
  '98',
]);

export const MASK = '•';
const VISIBLE_TAIL = 3;

/** Digits of the country code of an E.164 number (1 to 3). */
export function countryCodeLength(e164: string): number {
  if (!E164.test(e164)) throw new TypeError('countryCodeLength expects an E.164 number');
  if (ONE_DIGIT_CODES.has(e164.slice(1, 2))) return 1;
  if (TWO_DIGIT_CODES.has(e164.slice(1, 3))) return 2;
  return 3;
}

/**
 * @example
 * maskPhoneNumber('+447700900123'); // '+44•••••••123'
 * maskPhoneNumber('+12025550123');  // '+1•••••••123'
 */
export function maskPhoneNumber(e164: string): string {
  const country = countryCodeLength(e164);
  const national = e164.slice(1 + country);
  const hidden = Math.max(1, national.length - VISIBLE_TAIL);
  return `+${e164.slice(1, 1 + country)}${MASK.repeat(hidden)}${national.slice(hidden)}`;
}

/**
 * The first character of the local part and the whole domain.
 *
 * @example
 * maskEmailAddress('ada@example.com'); // 'a•••@example.com'
 */
export function maskEmailAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) throw new TypeError('maskEmailAddress expects an email address');
  return `${Array.from(address.slice(0, at))[0] ?? ''}${MASK.repeat(3)}${address.slice(at)}`;
}
