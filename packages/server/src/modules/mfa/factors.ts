/**
 * @module modules/mfa/factors
 *
 * What second factors an account has, for the factor list and for the sign-in challenge. Only
 * confirmed authenticator apps count; pending enrolments never appear. Recovery codes are listed
 * while any remain, but they back up a factor and are not one on their own: `hasSecondFactor`
 * looks at authenticator apps only.
 */
import type { MfaFactor } from '@portcullis/protocol';
import type { MfaTotpFactorsTable } from '../../platform/db/schema.ts';
import type { MfaDeps } from './deps.ts';
import * as repo from './repository.ts';

const RECOVERY_CODES_LABEL = 'Recovery codes';

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

/** Confirmed factors of the account: authenticator apps (oldest first), then the recovery-code set if codes remain. */
export async function listFactors(deps: Pick<MfaDeps, 'db'>, accountId: string): Promise<MfaFactor[]> {
  const factors = (await repo.listConfirmedTotpFactors(deps.db, accountId)).map(toTotpFactorDto);
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

/** Whether sign-in must ask for a second factor: true when the account has a confirmed authenticator app. */
export async function hasSecondFactor(deps: Pick<MfaDeps, 'db'>, accountId: string): Promise<boolean> {
  return (await repo.countConfirmedTotpFactors(deps.db, accountId)) > 0;
}
