/**
 * @module modules/admin/mask
 *
 * Masking of personal data for staff who help with accounts: enough to confirm "is this the
 * person on the phone" with them (first character and domain), not enough to learn an address.
 */

/**
 * @example
 * maskEmail('alice@example.com'); // 'a•••@example.com'
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '•••';
  return `${Array.from(email.slice(0, at))[0] ?? ''}•••${email.slice(at)}`;
}
