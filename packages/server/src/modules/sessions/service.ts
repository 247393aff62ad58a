/**
 * @module modules/sessions/service
 *
 * The session door. `issueSession` is the only function in the server that mints tokens; every
 * way of signing in ends here. Sessions are refresh-token families bound to one DPoP key:
 * rotation hands out a new pair and spends the old refresh token; presenting a spent token
 * again revokes the whole family — except within a short grace window, where the same device
 * key retrying the same rotation gets the same pair back (see tokens.ts).
 */
import { sealDeviceLabel, withOpenedLabel } from './device-labels.ts';
import type { Kysely } from 'kysely';
import type { TokenResponse } from '@portcullis/protocol';
import type { Config } from '../../config/schema.ts';
import type { KeyRing } from '../../platform/crypto/index.ts';
import { constantTimeEqual } from '../../platform/crypto/index.ts';
import type { Clock } from '../../platform/clock/clock.ts';
import type { Database, SessionsTable } from '../../platform/db/index.ts';
import { withTransaction, type Tx } from '../../platform/db/index.ts';
import { appError } from '../../platform/errors/app-error.ts';
import type { AssuranceLevel, EnrolmentFactor } from '../../platform/routes/contract.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import { deriveRotation, formatToken, hashSecret, newToken, parseToken, secretMatches, type TokenParts } from './tokens.ts';
import * as repo from './repository.ts';
import { bearerClientOf } from './binding.ts';
import { restrictionOf, storedRestriction } from './restriction.ts';
import { rememberDevice } from './known-devices.ts';
import { recordDeviceNotice, sendDeviceNotice, type DeviceNoticeDeps, type PendingNotice } from './device-notices.ts';

/**
 * Runs inside every transaction that ends sessions — revocation of any kind, refresh-token reuse,
 * erasure — with the ids of the sessions it ended, so that what other modules tied to a session
 * ends with it in the same commit (modules/messaging removes the session's device credential).
 */
export type SessionsRevokedHook = (tx: Tx, sessionIds: readonly string[]) => Promise<void>;

/** Besides its own settings, the session door needs what the new-device email needs (device-notices.ts). */
export interface SessionsDeps extends DeviceNoticeDeps {
  readonly db: Kysely<Database>;
  readonly keyRing: KeyRing;
  readonly clock: Clock;
  readonly config: Config['sessions'];
  /** See `SessionsRevokedHook`; app.ts wires the messaging module's. */
  readonly onSessionsRevoked?: SessionsRevokedHook;
}

export interface IssueSessionInput {
  readonly accountId: string;
  readonly aal: AssuranceLevel;
  /** RFC 8176 authentication method references, e.g. `['pwd']`, `['hwk', 'user']`. */
  readonly amr: readonly string[];
  /** What `TokenRequestProof` returned: the thumbprint of the DPoP key that signed the sign-in request (or a bearer binding). */
  readonly jkt: string;
  readonly device: { readonly label: string; readonly platform: string; readonly appVersion?: string | undefined };
  /**
   * The session may only enrol these factors: the second factor the account's role requires
   * (modules/assurance), or a passkey after a passkey-first sign-up (modules/accounts).
   */
  readonly restrictedTo?: readonly EnrolmentFactor[];
}

export interface AuthenticatedSession {
  readonly session: SessionsTable;
  readonly roles: readonly string[];
  /** When the presented access token was issued and when it expires (epoch ms). */
  readonly token: { readonly createdAt: number; readonly expiresAt: number };
}

const SECOND = 1000;

function tokenRows(deps: SessionsDeps, sessionId: string, access: TokenParts, refresh: TokenParts, now: number, refreshExpiresAt: number) {
  return [
    {
      id: access.id,
      session_id: sessionId,
      kind: 'access' as const,
      secret_hash: hashSecret(deps.keyRing, access.secret),
      created_at: now,
      expires_at: now + deps.config.accessTokenTtlSeconds * SECOND,
      used_at: null,
    },
    {
      id: refresh.id,
      session_id: sessionId,
      kind: 'refresh' as const,
      secret_hash: hashSecret(deps.keyRing, refresh.secret),
      created_at: now,
      expires_at: refreshExpiresAt,
      used_at: null,
    },
  ];
}

/** What the client is told about a restricted session: why, and what it may set up (see restriction.ts). */
function restrictionFor(restrictedTo: readonly EnrolmentFactor[] | undefined): TokenResponse['restriction'] {
  if (restrictedTo === undefined) return undefined;
  const allows = [...restrictedTo];
  if (restrictedTo.includes('password')) return { reason: 'password_breached', allows };
  if (restrictedTo.length === 1 && restrictedTo[0] === 'passkey') return { reason: 'passkey_required', allows };
  return { reason: 'second_factor_required', allows };
}

function tokenResponse(
  session: Pick<SessionsTable, 'id' | 'aal' | 'jkt' | 'restricted_to'>,
  access: TokenParts,
  refresh: TokenParts,
  accessExpiresAt: number,
  refreshExpiresAt: number,
  now: number,
): TokenResponse {
  return {
    tokenType: bearerClientOf(session.jkt) === undefined ? 'DPoP' : 'Bearer',
    accessToken: formatToken(access),
    expiresIn: Math.max(0, Math.floor((accessExpiresAt - now) / SECOND)),
    refreshToken: formatToken(refresh),
    refreshExpiresIn: Math.max(0, Math.floor((refreshExpiresAt - now) / SECOND)),
    sessionId: session.id,
    aal: session.aal,
    ...(session.restricted_to === null ? {} : { restriction: restrictionFor(restrictionOf(session.restricted_to)) }),
  };
}

/** Mints a new session for an account that has just authenticated at `aal`. */
export async function issueSession(deps: SessionsDeps, input: IssueSessionInput, context: RequestContext): Promise<TokenResponse> {
  const now = deps.clock.now();
  const absoluteExpiresAt = now + deps.config.refreshAbsoluteTtlSeconds * SECOND;
  const idleExpiresAt = Math.min(absoluteExpiresAt, now + deps.config.refreshIdleTtlSeconds * SECOND);
  const session: SessionsTable = {
    id: `se_${newToken('access').id.slice(3)}`,
    account_id: input.accountId,
    jkt: input.jkt,
    aal: input.aal,
    amr: JSON.stringify(input.amr),
    auth_time: now,
    device_label: input.device.label,
    device_platform: input.device.platform,
    app_version: input.device.appVersion ?? null,
    ip_prefix: context.ipPrefix,
    created_at: now,
    last_used_at: now,
    idle_expires_at: idleExpiresAt,
    absolute_expires_at: absoluteExpiresAt,
    revoked_at: null,
    revoked_reason: null,
    restricted_to: storedRestriction(input.restrictedTo),
  };
  const access = newToken('access');
  const refresh = newToken('refresh');
  const notice = await withTransaction(deps.db, async (tx): Promise<PendingNotice | undefined> => {
    await repo.insertSession(tx, {
      ...session,
      device_label: await sealDeviceLabel(deps.dataProtection, tx, session, session.device_label),
    });
    await repo.insertTokens(tx, tokenRows(deps, session.id, access, refresh, now, idleExpiresAt));
    const device = await rememberDevice(tx, input.accountId, input.jkt, now, context.ipPrefix);
    // The first device of an account is not news; every later new one is (a bearer binding always is).
    const pending =
      device.isNew && device.hadOtherDevices && deps.newDevice.notify ? await recordDeviceNotice(deps, tx, session) : undefined;
    await context.audit(
      'session.created',
      { actor: input.accountId, subject: input.accountId, session: session.id, detail: device.isNew ? 'new_device' : null },
      tx,
    );
    return pending;
  });
  if (notice) sendDeviceNotice(deps, notice);
  return tokenResponse(session, access, refresh, now + deps.config.accessTokenTtlSeconds * SECOND, idleExpiresAt, now);
}

function isLive(session: SessionsTable, now: number): boolean {
  return session.revoked_at === null && session.idle_expires_at > now && session.absolute_expires_at > now;
}

/**
 * Exchanges a refresh token for a new pair (RFC 6749 §6 with rotation, OAuth 2.0 Security BCP
 * §4.14.2 reuse detection). `jkt` is the thumbprint of the key that signed this request's DPoP
 * proof; the session only ever accepts its own key.
 */
export async function rotateRefreshToken(
  deps: SessionsDeps,
  input: { refreshToken: string; jkt: string },
  context: RequestContext,
): Promise<TokenResponse> {
  const presented = parseToken(input.refreshToken);
  const outcome: RotationOutcome =
    presented?.kind === 'refresh'
      ? await withTransaction(deps.db, (tx) => rotateInTransaction(deps, tx, presented, input.jkt, context))
      : { refused: 'malformed' };
  if ('tokens' in outcome) return outcome.tokens;
  // Refusals are audited after the transaction: a reuse revocation must commit before the caller hears "no".
  if (outcome.refused !== 'reuse') {
    await context.audit('session.refresh_refused', {
      outcome: 'failure',
      actor: outcome.session?.account_id ?? null,
      session: outcome.session?.id ?? null,
      detail: outcome.refused,
    });
  }
  throw appError('AUTH_REFRESH_INVALID', { detail: `refresh refused: ${outcome.refused}` });
}

type RotationOutcome = { tokens: TokenResponse } | { refused: string; session?: SessionsTable };

async function rotateInTransaction(
  deps: SessionsDeps,
  tx: Tx,
  presented: TokenParts,
  jkt: string,
  context: RequestContext,
): Promise<RotationOutcome> {
  const now = deps.clock.now();
  const found = await repo.findTokenWithSession(tx, presented.id, now);
  if (!found || found.token.kind !== 'refresh' || !secretMatches(deps.keyRing, presented.secret, found.token.secret_hash))
    return { refused: 'unknown_token' };
  const { session } = found;
  if (!isLive(session, now) || found.account.status !== 'active') return { refused: 'session_ended', session };
  const sameKey = constantTimeEqual(session.jkt, jkt);
  const next = deriveRotation(deps.keyRing, presented.secret);
  const refreshExpiresAt = Math.min(session.absolute_expires_at, now + deps.config.refreshIdleTtlSeconds * SECOND);
  if (sameKey && (await repo.claimRefreshToken(tx, presented.id, now))) {
    await repo.insertTokens(tx, tokenRows(deps, session.id, next.access, next.refresh, now, refreshExpiresAt));
    await repo.extendSession(tx, session.id, now, refreshExpiresAt);
    await context.audit('session.refreshed', { actor: session.account_id, session: session.id }, tx);
    return {
      tokens: tokenResponse(session, next.access, next.refresh, now + deps.config.accessTokenTtlSeconds * SECOND, refreshExpiresAt, now),
    };
  }

  const spentAt = (await repo.findToken(tx, presented.id))?.used_at ?? null;
  // An unspent token with the wrong key: refused, but the holder of the real key keeps the session.
  if (spentAt === null) return { refused: 'dpop_key_mismatch', session };
  // Spent already. Within the grace window, the same key retrying the same rotation gets the
  // same pair — as long as that pair has not itself been used. Anything else is reuse.
  const successor = await repo.findToken(tx, next.refresh.id);
  const successorAccess = await repo.findToken(tx, next.access.id);
  if (sameKey && now - spentAt <= deps.config.refreshGraceSeconds * SECOND && successor?.used_at === null && successorAccess) {
    return { tokens: tokenResponse(session, next.access, next.refresh, successorAccess.expires_at, successor.expires_at, now) };
  }
  await endSessions(deps, tx, { accountId: session.account_id, only: session.id, now, reason: 'refresh_reuse' });
  await context.audit(
    'session.refresh_reuse_detected',
    { outcome: 'failure', actor: session.account_id, session: session.id, detail: 'reuse' },
    tx,
  );
  return { refused: 'reuse', session };
}

/**
 * Resolves an access token to its live session, or `undefined`. The caller must still check the
 * DPoP proof against `session.jkt`. `last_used_at` writes are throttled.
 */
export async function authenticateAccessToken(deps: SessionsDeps, accessToken: string): Promise<AuthenticatedSession | undefined> {
  const presented = parseToken(accessToken);
  if (presented?.kind !== 'access') return undefined;
  const now = deps.clock.now();
  const found = await repo.findTokenWithSession(deps.db, presented.id, now);
  if (!found || found.token.kind !== 'access' || !secretMatches(deps.keyRing, presented.secret, found.token.secret_hash)) return undefined;
  if (found.token.expires_at <= now || !isLive(found.session, now) || found.account.status !== 'active') return undefined;
  if (now - found.session.last_used_at >= deps.config.lastUsedWriteIntervalSeconds * SECOND) {
    await repo.touchSession(deps.db, found.session.id, now);
  }
  const roles = JSON.parse(found.account.roles) as string[];
  return {
    session: found.session,
    // Principal roles = account roles + elevations in force (modules/elevation), computed per request.
    roles: found.elevatedRoles.length === 0 ? roles : [...new Set([...roles, ...found.elevatedRoles])],
    token: { createdAt: found.token.created_at, expiresAt: found.token.expires_at },
  };
}

/** The account's live sessions, their device labels opened. */
export async function listSessions(deps: SessionsDeps, accountId: string): Promise<SessionsTable[]> {
  const sessions = await repo.listLiveSessions(deps.db, accountId, deps.clock.now());
  return Promise.all(sessions.map((session) => withOpenedLabel(deps.dataProtection, deps.db, session)));
}

/** The account's elevations in force now (shown with the session list). */
export async function listElevations(deps: SessionsDeps, accountId: string): Promise<{ id: string; role: string; expiresAt: number }[]> {
  const rows = await repo.listLiveElevations(deps.db, accountId, deps.clock.now());
  return rows.map((r) => ({ id: r.id, role: r.role, expiresAt: r.expires_at ?? 0 }));
}

/** Which sessions of one account to end, and why (the audit reason). */
export interface RevocationInput {
  readonly accountId: string;
  readonly reason: string;
  readonly only?: string;
  readonly except?: string;
}

/** Revokes sessions of `accountId` only (scoped in the query): one, all but one, or all. */
export async function revokeSessions(deps: SessionsDeps, input: RevocationInput, context: RequestContext): Promise<number> {
  return withTransaction(deps.db, async (tx) => (await revokeInTransaction(deps, tx, input, context)).length);
}

/** Every revocation goes through here: the rows are marked revoked and the revocation hook runs in the same transaction. */
async function endSessions(deps: SessionsDeps, tx: Tx, options: Parameters<typeof repo.revokeSessions>[1]): Promise<string[]> {
  const revoked = await repo.revokeSessions(tx, options);
  if (revoked.length > 0 && deps.onSessionsRevoked) await deps.onSessionsRevoked(tx, revoked);
  return revoked;
}

/**
 * `revokeSessions` in the caller's transaction, also by device key (`boundTo`); returns the
 * ids of the sessions it ended. Its audit events are the transaction's last writes.
 */
export async function revokeInTransaction(
  deps: SessionsDeps,
  tx: Tx,
  input: RevocationInput & { readonly boundTo?: string },
  context: RequestContext,
): Promise<string[]> {
  const revoked = await endSessions(deps, tx, { ...input, now: deps.clock.now() });
  for (const sessionId of revoked) {
    // The catalogue names the session's account as actor, whoever asked (an administrator's own event says who did).
    await context.audit(
      'session.revoked',
      { actor: input.accountId, subject: input.accountId, session: sessionId, detail: input.reason },
      tx,
    );
  }
  return revoked;
}
