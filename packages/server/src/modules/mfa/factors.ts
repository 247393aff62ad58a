/**
 * @module modules/mfa/factors
 *
 * What second factors an account has, for the factor list and for the sign-in challenge. Only
 * confirmed authenticator apps and phones count; pending enrolments never appear. Recovery codes
 * are listed while any remain, but they back up a factor and are not one on their own:
 * `hasSecondFactor` looks at authenticator apps and phones only. Phone numbers are listed
 * masked (`+44•••••••123`), never in full.
 */
import type { MfaFactor } from '@portcullis/protocol';
import type { MfaPhoneFactorsTable, MfaTotpFactorsTable } from '../../platform/db/schema.ts';
import { countConfirmedFactors, listConfirmedFactors } from './factor-lifecycle.ts';
import type { MfaDeps } from './deps.ts';
import { openPhoneNumber } from './phone-number-cipher.ts';
import { maskPhoneNumber } from './phone-number.ts';
import * as repo from './repository.ts';

const RECOVERY_CODES_LABEL = 'Recovery codes';
/** Shown for a stored number that no longer opens (moved row, another key ring): it sends nothing. */
const UNREADABLE_PHONE_LABEL = 'Phone number';

export function toTotpFactorDto(
  row: Pick<MfaTotpFactorsTable, 'id' | 'label' | 'created_at' | 'confirmed_at' | 'last_used_at'>,
): MfaFactor {
  return {
    id: row.id,
    kind: 'totp',
    label: row.label,
    createdAt: new Date(row.confirmed_at ?? row.created_at).toISOString(),
    lastUsedAt: row.last_used_at === null ? null : new Date(row.last_used_at).toISOString(),
  };
}

export async function toPhoneFactorDto(
  deps: Pick<MfaDeps, 'db' | 'dataProtection'>,
  row: Pick<MfaPhoneFactorsTable, 'id' | 'account_id' | 'phone_ciphertext' | 'created_at' | 'confirmed_at' | 'last_used_at'>,
): Promise<MfaFactor> {
  const number = await openPhoneNumber(deps.dataProtection, deps.db, row.phone_ciphertext, { accountId: row.account_id, factorId: row.id });
  return {
    id: row.id,
    kind: 'phone',
    label: number === undefined ? UNREADABLE_PHONE_LABEL : maskPhoneNumber(number),
    createdAt: new Date(row.confirmed_at ?? row.created_at).toISOString(),
    lastUsedAt: row.last_used_at === null ? null : new Date(row.last_used_at).toISOString(),
  };
}

/**
 * Confirmed factors of the account: authenticator apps (oldest first), the phone, then the
 * recovery-code set if codes remain.
 */
export async function listFactors(deps: Pick<MfaDeps, 'db' | 'dataProtection'>, accountId: string): Promise<MfaFactor[]> {
  const factors = (await listConfirmedFactors(deps.db, 'mfa_totp_factors', accountId)).map(toTotpFactorDto);
  for (const phone of await listConfirmedFactors(deps.db, 'mfa_phone_factors', accountId))
    factors.push(await toPhoneFactorDto(deps, phone));
  const set = await repo.findRecoveryCodeSet(deps.db, accountId);
  if (set) {
    const codes = await repo.listRecoveryCodes(deps.db, accountId);
    const lastUsed = Math.max(...codes.map((code) => code.used_at ?? 0));
    if (codes.some((code) => code.used_at === null)) {
      factors.push({
        id: set.id,
        kind: 'recovery_codes',
        label: RECOVERY_CODES_LABEL,
        createdAt: new Date(set.created_at).toISOString(),
        lastUsedAt: lastUsed > 0 ? new Date(lastUsed).toISOString() : null,
      });
    }
  }
  return factors;
}

/** Whether sign-in must ask for a second factor: true when the account has a confirmed authenticator app or phone. */
export async function hasSecondFactor(deps: Pick<MfaDeps, 'db'>, accountId: string): Promise<boolean> {
  return (
    (await countConfirmedFactors(deps.db, 'mfa_totp_factors', accountId)) +
      (await countConfirmedFactors(deps.db, 'mfa_phone_factors', accountId)) >
    0
  );
}
