/**
 * @module @portcullis/sdk/sessions
 *
 * Signing in with a password (and the second step, `MFA_REQUIRED`), signing out, and the
 * account's sessions on its devices.
 *
 * @example
 *   import { signIn, signOut } from '@portcullis/sdk/sessions';
 *
 *   await signIn(client, { email, password, device: { label: 'Web', platform: 'web' } });
 *   await signOut(client);
 */
export { completeSignIn, sendSignInCode, signIn } from './sign-in.ts';
export { signOut } from './sign-out.ts';
export { listSessions, revokeOtherSessions, revokeSession } from './session-list.ts';
export type { Revoked } from '../http/response-shapes.ts';
