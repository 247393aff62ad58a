/**
 * @module modules/passkeys/held
 *
 * The passkey side of erasure: deletes every passkey of an account and its open ceremonies,
 * inside the erasure transaction. Returns how many passkeys went.
 */
import type { Kysely } from 'kysely';
import type { Passkey } from '@portcullis/protocol';
import type { Database, Tx } from '../../platform/db/index.ts';
import { toPasskeyDto } from './passkey-dto.ts';

export async function forgetPasskeysOf(tx: Tx, accountId: string): Promise<number> {
  await tx.deleteFrom('passkey_challenges').where('account_id', '=', accountId).execute();
  const result = await tx.deleteFrom('passkey_credentials').where('account_id', '=', accountId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The account's passkeys as their owner sees them (never the public key or credential id), oldest first. */
export async function passkeysHeldAbout(db: Kysely<Database>, accountId: string): Promise<Passkey[]> {
  const rows = await db.selectFrom('passkey_credentials').selectAll().where('account_id', '=', accountId).orderBy('created_at').execute();
  return rows.map(toPasskeyDto);
}
