/**
 * @module modules/sessions/not-me
 *
 * "This was not me": what the link of a new-device email does once the person confirms on its
 * page (device-notices.ts, routes.ts). In one transaction it spends the link, forgets the
 * device (its next password sign-in must be confirmed again), ends the session the email
 * reported — and every other session of the account bound to the same device key, since the
 * same device may have signed in again since — and records `session.reported_not_me`.
 *
 * Nobody is signed in here: whoever uses the link is proven only to hold it, and it was sent to
 * the account's verified address. So the event names no actor, and the link can do nothing but
 * end that device's sessions: it changes no password and reveals nothing about the account.
 */
import { appError } from '../../platform/errors/app-error.ts';
import { withTransaction } from '../../platform/db/index.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import { bearerClientOf } from './binding.ts';
import { claimDeviceNotice, type NoticeRefusal } from './device-notices.ts';
import { forgetDevice } from './known-devices.ts';
import * as repo from './repository.ts';
import { revokeInTransaction, type SessionsDeps } from './service.ts';

/** The audit and revocation reason. */
export const REPORTED_NOT_ME = 'reported_not_me';

type Outcome = { revoked: number } | { refused: NoticeRefusal; accountId?: string; sessionId?: string };

/**
 * Ends the device a new-device email reported, given the token of its link; returns how many
 * sessions ended (0 when the session had already ended — the device is still forgotten).
 *
 * @throws {AppError} `DEVICE_NOTICE_INVALID` when the token is malformed, unknown, expired or used.
 */
export async function reportNotMe(deps: SessionsDeps, token: string, context: RequestContext): Promise<{ revoked: number }> {
  const outcome = await withTransaction(deps.db, async (tx): Promise<Outcome> => {
    const claimed = await claimDeviceNotice(deps, tx, token, deps.clock.now());
    if ('refused' in claimed) {
      return {
        refused: claimed.refused,
        ...(claimed.notice ? { accountId: claimed.notice.account_id, sessionId: claimed.notice.session_id } : {}),
      };
    }
    const { account_id: accountId, session_id: sessionId } = claimed.notice;
    const session = await repo.findSession(tx, sessionId);
    // A bearer binding names a kind of client, not a device: only the reported session ends.
    const deviceKey = session && bearerClientOf(session.jkt) === undefined ? session.jkt : undefined;
    if (deviceKey !== undefined) await forgetDevice(tx, accountId, deviceKey);
    const revoked = await revokeInTransaction(
      deps,
      tx,
      { accountId, reason: REPORTED_NOT_ME, ...(deviceKey !== undefined ? { boundTo: deviceKey } : { only: sessionId }) },
      context,
    );
    await context.audit(
      'session.reported_not_me',
      { actor: null, subject: accountId, session: sessionId, detail: revoked.length > 0 ? null : 'session_already_ended' },
      tx,
    );
    return { revoked: revoked.length };
  });
  if ('revoked' in outcome) return outcome;
  await context.audit('session.reported_not_me', {
    outcome: 'failure',
    actor: null,
    subject: outcome.accountId ?? null,
    session: outcome.sessionId ?? null,
    detail: outcome.refused,
  });
  throw appError('DEVICE_NOTICE_INVALID', { detail: `not-me link refused: ${outcome.refused}` });
}
