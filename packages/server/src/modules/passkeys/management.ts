/**
 * @module modules/passkeys/management
 *
 * The signed-in person's own passkeys: list, rename, remove (ASVS V6.5.6: a lost authenticator
 * can be revoked). Every query is scoped to the caller's account. Removal holds the account's
 * row lock while it counts what remains, so two concurrent removals cannot together take a
 * staff account's last passkey.
 */
import type { Passkey, PasskeyList } from '@portcullis/protocol';
import { withTransaction } from '../../platform/db/index.ts';
import { appError } from '../../platform/errors/app-error.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import { removesLastPhishingResistantFactor } from './checks/check-last-factor.ts';
import type { PasskeysDeps } from './deps.ts';
import { toPasskeyDto } from './passkey-dto.ts';
import * as repo from './repository.ts';

export interface PasskeyTarget {
  readonly accountId: string;
  /** Our passkey id (`pk_…`). */
  readonly id: string;
}

export async function listPasskeys(deps: PasskeysDeps, accountId: string): Promise<PasskeyList> {
  return { passkeys: (await repo.listCredentials(deps.db, accountId)).map(toPasskeyDto) };
}

export async function renamePasskey(
  deps: PasskeysDeps,
  target: PasskeyTarget & { readonly name: string },
  context: RequestContext,
): Promise<Passkey> {
  const renamed = await withTransaction(deps.db, async (tx) => {
    if (!(await repo.renameCredential(tx, target))) return undefined;
    await context.audit('passkey.renamed', { subject: target.accountId }, tx);
    return repo.findOwnCredential(tx, target.accountId, target.id);
  });
  if (!renamed) throw appError('PASSKEY_NOT_FOUND', { detail: 'rename of a passkey the caller does not own' });
  return toPasskeyDto(renamed);
}

type RemovalOutcome = 'removed' | 'not_found' | 'last_factor';

export async function removePasskey(deps: PasskeysDeps, target: PasskeyTarget, context: RequestContext): Promise<void> {
  const outcome = await withTransaction(deps.db, async (tx): Promise<RemovalOutcome> => {
    if (!(await repo.lockAccount(tx, target.accountId))) return 'not_found';
    const passkey = await repo.findOwnCredential(tx, target.accountId, target.id);
    const account = await repo.findAccount(tx, target.accountId);
    if (!passkey || !account) return 'not_found';
    const usableRemaining = await repo.countUsableCredentialsExcept(tx, target.accountId, target.id);
    if (removesLastPhishingResistantFactor({ roles: account.roles, policy: deps.rolePolicy, usableRemaining })) return 'last_factor';
    await repo.deleteCredential(tx, target.accountId, target.id);
    await context.audit('passkey.removed', { subject: target.accountId }, tx);
    return 'removed';
  });
  if (outcome === 'not_found') throw appError('PASSKEY_NOT_FOUND', { detail: 'removal of a passkey the caller does not own' });
  if (outcome === 'last_factor') {
    await context.audit('passkey.removal_refused', {
      outcome: 'failure',
      subject: target.accountId,
      detail: 'last_phishing_resistant_factor',
    });
    throw appError('PASSKEY_LAST_FACTOR', { detail: 'staff account would keep no usable passkey' });
  }
}
