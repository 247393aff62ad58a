/**
 * @module modules/passkeys/forget
 *
 * The passkey side of erasure: deletes every passkey of an account and its open ceremonies,
 * inside the erasure transaction. Returns how many passkeys went.
 */
import type { Tx } from '../../platform/db/index.ts';

export async function forgetPasskeysOf(tx: Tx, accountId: string): Promise<number> {
  await tx.deleteFrom('passkey_challenges').where('account_id', '=', accountId).execute();
  const result = await tx.deleteFrom('passkey_credentials').where('account_id', '=', accountId).executeTakeFirst();
  return Number(result.numDeletedRows);
}
