/**
 * @module modules/mfa/held
 *
 * The second-factor side of erasure: deletes every authenticator app, phone number, recovery
 * code, sent code and pending sign-in challenge of an account, and its wrong-code budget —
 * inside the erasure transaction, before the person's data key is destroyed.
 */
import type { Tx } from '../../platform/db/index.ts';

export interface FactorsForgotten {
  readonly totpFactors: number;
  readonly phoneFactors: number;
  readonly recoveryCodes: number;
  /** Sent codes and sign-in challenges still stored. */
  readonly pendingChallenges: number;
}

export async function forgetFactorsOf(tx: Tx, accountId: string): Promise<FactorsForgotten> {
  const deleted = async (table: 'mfa_totp_factors' | 'mfa_phone_factors' | 'mfa_recovery_codes' | 'mfa_sent_codes' | 'mfa_challenges') =>
    Number((await tx.deleteFrom(table).where('account_id', '=', accountId).executeTakeFirst()).numDeletedRows);
  const totpFactors = await deleted('mfa_totp_factors');
  const phoneFactors = await deleted('mfa_phone_factors');
  const recoveryCodes = await deleted('mfa_recovery_codes');
  await tx.deleteFrom('mfa_recovery_code_sets').where('account_id', '=', accountId).execute();
  const pendingChallenges = (await deleted('mfa_sent_codes')) + (await deleted('mfa_challenges'));
  await tx.deleteFrom('mfa_send_limits').where('key', '=', `enrol:${accountId}`).execute();
  await tx.deleteFrom('second_factor_budgets').where('account_id', '=', accountId).execute();
  return { totpFactors, phoneFactors, recoveryCodes, pendingChallenges };
}
