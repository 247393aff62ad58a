/**
 * @module modules/accounts/passwords-enabled
 *
 * `passwords.enabled: false` in the services: every password operation refuses with
 * `PASSWORDS_DISABLED` before it looks anything up or does any Argon2id work. The routes refuse
 * earlier still (before the body is read); this is the second line, so no caller of the
 * service can reach a password check while passwords are off.
 */
import { appError } from '../../platform/errors/app-error.ts';

export function assertPasswordsEnabled(deps: { readonly passwordsEnabled: boolean }, operation: string): void {
  if (!deps.passwordsEnabled) throw appError('PASSWORDS_DISABLED', { detail: `${operation} while passwords.enabled is false` });
}
