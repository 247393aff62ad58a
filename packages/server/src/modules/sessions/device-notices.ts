/**
 * @module modules/sessions/device-notices
 *
 * The new-device email (docs/security/defense.md, "New-device email"). When a session opens on
 * a device the account has not used before — and the account had used another one, so the
 * very first device of an account is not news — the person is emailed when, on what device
 * and from which coarse network, with a single-use "this was not me" link that ends it.
 *
 * The link's token is `dn_<id>.<secret>`: a 128-bit id that locates the row and a 256-bit
 * secret from the CSPRNG. Only HMAC-SHA-256 of the secret (under the `token-hmac` key,
 * domain-separated from session and challenge tokens) is stored, so a copy of the table ends
 * no session, and the lookup by id keeps the secret comparison constant-time.
 *
 * The notice row is written in the transaction that opens the session (no session without its
 * notice); the email leaves after commit, off the request path: a slow or failing mail server
 * neither delays nor fails the sign-in, and its errors go to the background-error logger.
 */
import type { DataProtection } from '../../platform/data-protection/index.ts';
import { openAccountEmail } from '../../platform/contact/index.ts';
import type { Kysely } from 'kysely';
import type { Config } from '../../config/schema.ts';
import type { Clock } from '../../platform/clock/clock.ts';
import { constantTimeEqual, hmacSha256, randomBase64Url, type KeyRing } from '../../platform/crypto/index.ts';
import type { Database, DeviceNoticesTable, SessionsTable, Tx } from '../../platform/db/index.ts';
import { newSignInMessage, type Mailer } from '../../platform/mailer/index.ts';

/** The path of the "this was not me" page (registered in routes.ts). */
export const NOT_ME_PATH = '/v1/sessions/not-me';

const PREFIX = 'dn_';
const TOKEN_PATTERN = /^dn_([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;
const SECOND = 1000;

/** What the new-device email needs besides the database: configuration, the mailer, and where its failures go. */
export interface DeviceNoticeDeps {
  readonly db: Kysely<Database>;
  readonly keyRing: KeyRing;
  /** Opens the address the notice goes to (platform/contact). */
  readonly dataProtection: DataProtection;
  readonly clock: Clock;
  /** `defense.newDevice`: whether to send the email (`notify`) and how long its link works. */
  readonly newDevice: Config['defense']['newDevice'];
  readonly mailer: Mailer;
  /** `publicUrl`: the origin the link points at. */
  readonly publicUrl: string;
  /** Where a failed background delivery is reported (the sign-in has already succeeded). */
  readonly onBackgroundError: (error: unknown) => void;
}

/** A notice recorded with its session, to be emailed once the transaction has committed. */
export interface PendingNotice {
  readonly token: string;
  readonly session: Pick<SessionsTable, 'account_id' | 'created_at' | 'device_label' | 'device_platform' | 'ip_prefix'>;
}

function hashNoticeSecret(keyRing: KeyRing, secret: string): string {
  return hmacSha256(keyRing.key('token-hmac'), `device-notice\u0000${secret}`);
}

/**
 * Records the "not me" token of a new session in the caller's transaction and returns what to
 * email after commit.
 */
export async function recordDeviceNotice(deps: DeviceNoticeDeps, tx: Tx, session: SessionsTable): Promise<PendingNotice> {
  const id = `${PREFIX}${randomBase64Url(16)}`;
  const secret = randomBase64Url(32);
  const row: DeviceNoticesTable = {
    id,
    session_id: session.id,
    account_id: session.account_id,
    secret_hash: hashNoticeSecret(deps.keyRing, secret),
    created_at: session.created_at,
    expires_at: session.created_at + deps.newDevice.noticeLinkTtlSeconds * SECOND,
    used_at: null,
  };
  await tx.insertInto('device_notices').values(row).execute();
  return { token: `${id}.${secret}`, session };
}

/** The link of a notice: `${publicUrl}/v1/sessions/not-me?t=<token>`. */
export function notMeUrl(publicUrl: string, token: string): string {
  const url = new URL(NOT_ME_PATH, publicUrl);
  url.searchParams.set('t', token);
  return url.href;
}

/**
 * Emails a recorded notice, in the background. Only a verified address is written to: an
 * unconfirmed one may belong to someone else, who must learn nothing of the account's devices
 * and must not hold a link that ends its sessions. Never throws, never awaited by the sign-in.
 */
export function sendDeviceNotice(deps: DeviceNoticeDeps, notice: PendingNotice): void {
  const deliver = async () => {
    const account = await deps.db
      .selectFrom('accounts')
      .select(['id', 'email_sealed', 'email_verified_at'])
      .where('id', '=', notice.session.account_id)
      .executeTakeFirst();
    if (account?.email_verified_at == null) return;
    const to = await openAccountEmail(deps.dataProtection, deps.db, account);
    const { session } = notice;
    const message = newSignInMessage({
      signedInAt: new Date(session.created_at),
      device: `${session.device_label} (${session.device_platform})`,
      network: session.ip_prefix,
      notMeUrl: notMeUrl(deps.publicUrl, notice.token),
    });
    await deps.mailer.send({ to, ...message });
  };
  // A microtask later: the response is not held back even by the account lookup.
  Promise.resolve().then(deliver).catch(deps.onBackgroundError);
}

/** Why a "not me" token was refused (the audit reason). */
export type NoticeRefusal = 'malformed' | 'unknown_token' | 'expired' | 'used';

/**
 * Spends a "not me" token in the caller's transaction: the first caller with a live token gets
 * its row, every other gets a refusal. The claim is one conditional UPDATE, so two concurrent
 * uses cannot both succeed (PostgreSQL re-checks `used_at` after the first commits; SQLite
 * serialises writers).
 */
export async function claimDeviceNotice(
  deps: Pick<DeviceNoticeDeps, 'keyRing'>,
  tx: Tx,
  token: string,
  now: number,
): Promise<{ notice: DeviceNoticesTable } | { refused: NoticeRefusal; notice?: DeviceNoticesTable }> {
  const match = TOKEN_PATTERN.exec(token);
  if (!match) return { refused: 'malformed' };
  const id = `${PREFIX}${match[1] ?? ''}`;
  const row = await tx.selectFrom('device_notices').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || !constantTimeEqual(hashNoticeSecret(deps.keyRing, match[2] ?? ''), row.secret_hash)) return { refused: 'unknown_token' };
  if (row.used_at !== null) return { refused: 'used', notice: row };
  if (row.expires_at <= now) return { refused: 'expired', notice: row };
  const claimed = await tx
    .updateTable('device_notices')
    .set({ used_at: now })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) return { refused: 'used', notice: row };
  return { notice: row };
}
