/**
 * @module admin/admin
 *
 * The admin API: the alerts a console shows as its banner (attack mode), accounts with masked
 * personal data (unmasked only with a step-up for that very request), locking and unlocking,
 * signing an account out everywhere, resetting its second factors, and changing its roles. The routes need an `aal2` session and the matching
 * permission; a session below that level fails with `AUTH_LEVEL_INSUFFICIENT`
 * (`isInsufficientAuthentication`), a missing permission with `RBAC_FORBIDDEN`.
 */
import type {
  Erasure,
  ErasureList,
  ErasureReceipt,
  AdminAccountDetail,
  AdminAccountList,
  AdminActionResult,
  AdminAlertList,
  AdminOverview,
  MfaResetResult,
  RolesChangeResult,
} from '@portcullis/protocol';
import type { CoreClient } from '../core/core-client.ts';
import { assertUuid, queryString } from '../core/json-request.ts';
import { engineOf } from '../core/session-engine.ts';
import type { StepUpPrompt } from '../step-up/is-step-up-required.ts';
import { callWithStepUp } from '../step-up/step-up.ts';
import {
  parseAdminAccountDetail,
  parseAdminAccountList,
  parseAdminActionResult,
  parseAdminAlertList,
  parseAdminOverview,
  parseMfaResetResult,
  parseRolesChangeResult,
} from './admin-shapes.ts';
import { parseErasure, parseErasureList, parseErasureReceipt } from '../accounts/privacy-shapes.ts';

/**
 * What an admin console shows as its banner now: today, attack mode (failed password sign-ins
 * far above their usual rate, so password sign-ins need an emailed code until `until`, except from a known device on a network it has used).
 * Empty when all is quiet. Needs `alerts:read` (admin and support by default).
 *
 * @example
 *   const { alerts } = await getAdminAlerts(client);
 *   for (const alert of alerts) showBanner(alert.message, alert.until);
 */
export async function getAdminAlerts(client: CoreClient): Promise<AdminAlertList> {
  return engineOf(client).authorizedCall('GET', '/v1/admin/alerts', undefined, parseAdminAlertList);
}

/**
 * The deployment's security at a glance: TLS mode, whether the key service answers, second-factor
 * coverage of each role against what the role must reach, and recent password sign-in failures.
 * Counts and settings only. Needs `security:read` (admins by default).
 *
 * @example
 *   const { tls, keyService, secondFactorCoverage } = await getSecurityOverview(client);
 */
export async function getSecurityOverview(client: CoreClient): Promise<AdminOverview> {
  return engineOf(client).authorizedCall('GET', '/v1/admin/overview', undefined, parseAdminOverview);
}

/** Filters and paging of {@link listAccounts}. */
export interface AccountListQuery {
  /** Exact email address (case-insensitive). */
  readonly email?: string | undefined;
  readonly role?: string | undefined;
  readonly status?: 'active' | 'locked' | undefined;
  /** Page size, 1–100 (default 50). */
  readonly limit?: number | undefined;
  /** `nextAfter` of the previous page. */
  readonly after?: string | undefined;
}

function accountsPath(base: string, query: AccountListQuery): string {
  const { email, role, status, limit, after } = query;
  return `${base}${queryString({ email, role, status, limit, after })}`;
}

/**
 * Accounts, email addresses masked (`a•••@example.com`), newest first, a page at a time.
 *
 * @example
 *   const { accounts, nextAfter } = await listAccounts(client, { status: 'locked', limit: 20 });
 */
export async function listAccounts(client: CoreClient, query: AccountListQuery = {}): Promise<AdminAccountList> {
  return engineOf(client).authorizedCall('GET', accountsPath('/v1/admin/accounts', query), undefined, parseAdminAccountList);
}

/**
 * {@link listAccounts} with the email addresses in full: needs `accounts:read_personal` and a
 * passkey step-up for this very request (`prompt`).
 *
 * @throws {ApiError} `STEP_UP_REQUIRED` when `prompt` resolves `null`.
 */
export async function listAccountsUnmasked(client: CoreClient, query: AccountListQuery, prompt: StepUpPrompt): Promise<AdminAccountList> {
  return callWithStepUp(client, { method: 'GET', path: accountsPath('/v1/admin/accounts/unmasked', query) }, prompt, parseAdminAccountList);
}

/** One account with its sessions and its pending and active elevations. */
export async function getAccountDetail(client: CoreClient, accountId: string): Promise<AdminAccountDetail> {
  assertUuid(accountId, 'getAccountDetail expects an account id');
  return engineOf(client).authorizedCall('GET', `/v1/admin/accounts/${accountId}`, undefined, parseAdminAccountDetail);
}

async function accountAction(client: CoreClient, accountId: string, action: 'lock' | 'unlock' | 'sign-out'): Promise<AdminActionResult> {
  assertUuid(accountId, `the ${action} action expects an account id`);
  return engineOf(client).authorizedCall('POST', `/v1/admin/accounts/${accountId}/${action}`, undefined, parseAdminActionResult);
}

/** Locks an account: it can no longer sign in, and every session it has ends. */
export async function lockAccount(client: CoreClient, accountId: string): Promise<AdminActionResult> {
  return accountAction(client, accountId, 'lock');
}

/** Unlocks a locked account. */
export async function unlockAccount(client: CoreClient, accountId: string): Promise<AdminActionResult> {
  return accountAction(client, accountId, 'unlock');
}

/** Ends every session of an account (it can sign in again). */
export async function signOutAccount(client: CoreClient, accountId: string): Promise<AdminActionResult> {
  return accountAction(client, accountId, 'sign-out');
}

/**
 * Removes an account's second factors and passkeys (a person who lost them all) and ends its
 * sessions. Needs a passkey step-up (`prompt`).
 *
 * @throws {ApiError} `STEP_UP_REQUIRED` when `prompt` resolves `null`.
 */
export async function resetAccountMfa(client: CoreClient, accountId: string, prompt: StepUpPrompt): Promise<MfaResetResult> {
  assertUuid(accountId, 'resetAccountMfa expects an account id');
  return callWithStepUp(client, { method: 'POST', path: `/v1/admin/accounts/${accountId}/mfa/reset` }, prompt, parseMfaResetResult);
}

/**
 * Sets an account's roles. Some grants (the `admin` role by default) wait for a second admin:
 * they come back in `pending`. Needs a passkey step-up (`prompt`).
 *
 * @throws {ApiError} `STEP_UP_REQUIRED` when `prompt` resolves `null`.
 * @example
 *   const { roles, pending } = await setAccountRoles(client, accountId, ['user', 'support'], prompt);
 */
export async function setAccountRoles(
  client: CoreClient,
  accountId: string,
  roles: readonly string[],
  prompt: StepUpPrompt,
): Promise<RolesChangeResult> {
  assertUuid(accountId, 'setAccountRoles expects an account id');
  if (!Array.isArray(roles) || !roles.every((role) => typeof role === 'string'))
    throw new TypeError('setAccountRoles expects a list of roles');
  return callWithStepUp(
    client,
    { method: 'PUT', path: `/v1/admin/accounts/${accountId}/roles`, body: { roles } },
    prompt,
    parseRolesChangeResult,
  );
}

/**
 * Asks for an account's erasure, with a reason (a ticket reference, not personal data). Nothing
 * happens until a second administrator approves it ({@link approveErasure}). Needs
 * `accounts:erase` and a passkey step-up (`prompt`).
 *
 * @throws {ApiError} `ADMIN_SELF_ACTION_FORBIDDEN` for one's own account, `ADMIN_ACCOUNT_NOT_FOUND`.
 * @example
 *   const request = await requestErasure(client, accountId, 'ticket 4711', prompt);
 */
export async function requestErasure(client: CoreClient, accountId: string, reason: string, prompt: StepUpPrompt): Promise<Erasure> {
  assertUuid(accountId, 'requestErasure expects an account id');
  if (typeof reason !== 'string') throw new TypeError('requestErasure expects a reason');
  return callWithStepUp(
    client,
    { method: 'POST', path: `/v1/admin/accounts/${accountId}/erasure`, body: { reason } },
    prompt,
    parseErasure,
  );
}

/** Erasures waiting for a second administrator. Needs `accounts:erase`. */
export async function listPendingErasures(client: CoreClient): Promise<ErasureList> {
  return engineOf(client).authorizedCall('GET', '/v1/admin/erasures', undefined, parseErasureList);
}

/**
 * Approves — and so carries out — an erasure another administrator asked for; answers with the
 * receipt. Never the requester's own request. Needs `accounts:erase` and a passkey step-up.
 *
 * @throws {ApiError} `ERASURE_APPROVER_INVALID`, `ERASURE_NOT_PENDING` (already carried out), `ERASURE_NOT_FOUND`.
 */
export async function approveErasure(client: CoreClient, erasureId: string, prompt: StepUpPrompt): Promise<ErasureReceipt> {
  assertUuid(erasureId, 'approveErasure expects an erasure id');
  return callWithStepUp(client, { method: 'POST', path: `/v1/admin/erasures/${erasureId}/approve` }, prompt, parseErasureReceipt);
}
