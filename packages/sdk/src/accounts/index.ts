/**
 * @module @portcullis/sdk/accounts
 *
 * Sign-up (with a password, or passkey-first), email confirmation, password reset, the signed-in
 * account and its password, and the person's rights: export everything held about them, erase their account.
 *
 * @example
 *   import { signUp, verifyEmail } from '@portcullis/sdk/accounts';
 *
 *   await signUp(client, { email: 'ada@example.com', password });
 *   await verifyEmail(client, { email: 'ada@example.com', code: await askForCode() });
 */
export { changePassword, confirmPasswordReset, getAccount, requestPasswordReset, signUp, verifyEmail } from './accounts.ts';
export { confirmPasskeyFirstSignUp, type PasskeyFirstConfirmation } from './passkey-first.ts';
export { eraseMyAccount, exportMyData } from './privacy.ts';
