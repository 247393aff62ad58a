/**
 * @module modules/passkeys/checks/check-user-handle
 *
 * WebAuthn L3 §7.2 step 6: when the authenticator returns a user handle, it must be the handle
 * the credential was created for. A discoverable credential names its own user; a response
 * that names another one is not this credential's to give.
 */
export function userHandleMatches(presented: string | undefined, stored: string): boolean {
  return presented === undefined || presented === stored;
}
