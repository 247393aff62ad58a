/**
 * @module platform/contact
 *
 * Contact data (email addresses) sealed per person with blind-index look-ups. Every module reads
 * and writes an account's address through these functions.
 */
export { accountEmailLocation, emailIndex, findAccountEmail, normalizeEmail, openAccountEmail, sealAccountEmail } from './email.ts';
