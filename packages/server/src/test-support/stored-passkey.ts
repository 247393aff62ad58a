/**
 * A passkey row written straight into the database, for tests about what a stored passkey
 * changes (sign-in challenges, unlinking) rather than about the WebAuthn ceremony: nothing can
 * sign in with it. Tests of the ceremony register through `registerPasskey` instead.
 */
import type { App } from '../app.ts';

export async function storePasskeyRow(app: App, accountId: string, options: { readonly suspendedAt?: number } = {}): Promise<void> {
  await app.portcullis.database.db
    .insertInto('passkey_credentials')
    .values({
      id: 'pk_stored_row',
      account_id: accountId,
      credential_id: 'c3RvcmVkLXJvdw',
      public_key: 'AQID',
      user_handle: 'AQID',
      sign_count: 0,
      transports: '[]',
      backup_eligible: 1,
      backed_up: 1,
      aaguid: '00000000-0000-0000-0000-000000000000',
      attestation_format: 'none',
      attestation_trust: 'none',
      name: 'Stored passkey',
      created_at: Date.now(),
      last_used_at: null,
      suspended_at: options.suspendedAt ?? null,
    })
    .execute();
}
