/**
 * Session invariants, on SQLite and PostgreSQL:
 * - a refresh token works once; presenting it again revokes its whole session (RFC 9700 §4.14.2);
 * - within the grace window the same DPoP key retrying gets the same pair (mobile resume race);
 * - concurrent refreshes with one token leave exactly one live family and never a 500;
 * - a refresh token only works with the DPoP key its session is bound to (RFC 9449 §5);
 * - nothing stored in the session tables authenticates (ASVS V7.2.4 / V9.2.x, stored hashes only).
 */
import { insertAccountRow } from '../../test-support/account-rows.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { App } from '../../app.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { manualClock } from '../../platform/clock/clock.ts';
import { generateKeyRingFile, keyRingFromFile } from '../../platform/crypto/index.ts';
import { isAppError } from '../../platform/errors/app-error.ts';
import { authenticateAccessToken, issueSession, listSessions, revokeSessions, rotateRefreshToken, type SessionsDeps } from './service.ts';
import { testRequestContext } from '../../test-support/request-context.ts';

const JKT = 'jkt-of-the-device-key-0000000000000000000000';
const OTHER_JKT = 'jkt-of-an-attacker-key-00000000000000000000';
const DEVICE = { label: 'Test phone', platform: 'ios' };

async function refusalCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isAppError(error)) return error.code;
    throw error;
  }
  return 'NO_ERROR';
}

describe.each(testDatabases())('sessions on $dialect', ({ dialect }) => {
  let app: App;
  let deps: SessionsDeps & { clock: ReturnType<typeof manualClock> };
  let accountId: string;

  beforeEach(async () => {
    app = await buildTestApp({ dialect });
    deps = {
      ...app.portcullis.sessions,
      keyRing: keyRingFromFile(generateKeyRingFile({ development: true }), 'test'),
      clock: manualClock(Date.UTC(2026, 10, 24)),
    };
    accountId = randomUUID();
    const now = deps.clock.now();
    await insertAccountRow(app, {
      id: accountId,
      email: `${accountId}@example.test`,
      email_verified_at: now,
      password_hash: null,
      password_changed_at: null,
      roles: '["patient"]',
      status: 'active',
      created_at: now,
      updated_at: now,
    });
  });
  afterEach(() => app.close());
  const context = () => testRequestContext(deps, 'req-1', '192.0.2.0/24');

  const signIn = () => issueSession(deps, { accountId, aal: 'aal1', amr: ['pwd'], jkt: JKT, device: DEVICE }, context());

  it('issues opaque DPoP-bound tokens with ≥ 128-bit secrets that authenticate', async () => {
    const tokens = await signIn();
    expect(tokens.tokenType).toBe('DPoP');
    expect(tokens.accessToken).toMatch(/^at_[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(tokens.refreshToken).toMatch(/^rt_[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(tokens.expiresIn).toBe(600);
    const authenticated = await authenticateAccessToken(deps, tokens.accessToken);
    expect(authenticated?.session).toMatchObject({ account_id: accountId, jkt: JKT, aal: 'aal1' });
  });

  it('a refresh token works exactly once; presenting it again revokes the whole session', async () => {
    const first = await signIn();
    const second = await rotateRefreshToken(deps, { refreshToken: first.refreshToken, jkt: JKT }, context());
    expect(second.refreshToken).not.toBe(first.refreshToken);
    deps.clock.advance(11_000); // past the grace window
    expect(await refusalCode(rotateRefreshToken(deps, { refreshToken: first.refreshToken, jkt: JKT }, context()))).toBe(
      'AUTH_REFRESH_INVALID',
    );
    // The family is dead: the legitimate newest tokens no longer work either.
    expect(await authenticateAccessToken(deps, second.accessToken)).toBeUndefined();
    expect(await refusalCode(rotateRefreshToken(deps, { refreshToken: second.refreshToken, jkt: JKT }, context()))).toBe(
      'AUTH_REFRESH_INVALID',
    );
    const events = await deps.db
      .selectFrom('audit_events')
      .select(['action', 'reason'])
      .where('action', '=', 'session.refresh_reuse_detected')
      .execute();
    expect(events).toEqual([{ action: 'session.refresh_reuse_detected', reason: 'reuse' }]);
  });

  it('within the grace window the same key retrying the same rotation gets the same pair', async () => {
    const first = await signIn();
    const rotated = await rotateRefreshToken(deps, { refreshToken: first.refreshToken, jkt: JKT }, context());
    deps.clock.advance(9_000);
    const retried = await rotateRefreshToken(deps, { refreshToken: first.refreshToken, jkt: JKT }, context());
    expect(retried.accessToken).toBe(rotated.accessToken);
    expect(retried.refreshToken).toBe(rotated.refreshToken);
    expect(await authenticateAccessToken(deps, rotated.accessToken)).toBeDefined();
  });

  it('within the grace window a different key presenting the spent token is reuse: the session is revoked', async () => {
    const first = await signIn();
    const rotated = await rotateRefreshToken(deps, { refreshToken: first.refreshToken, jkt: JKT }, context());
    expect(await refusalCode(rotateRefreshToken(deps, { refreshToken: first.refreshToken, jkt: OTHER_JKT }, context()))).toBe(
      'AUTH_REFRESH_INVALID',
    );
    expect(await authenticateAccessToken(deps, rotated.accessToken)).toBeUndefined();
  });

  it('a spent token retried after its successor was used is reuse, even inside the grace window', async () => {
    const first = await signIn();
    const second = await rotateRefreshToken(deps, { refreshToken: first.refreshToken, jkt: JKT }, context());
    await rotateRefreshToken(deps, { refreshToken: second.refreshToken, jkt: JKT }, context());
    expect(await refusalCode(rotateRefreshToken(deps, { refreshToken: first.refreshToken, jkt: JKT }, context()))).toBe(
      'AUTH_REFRESH_INVALID',
    );
    expect(await listSessions(deps, accountId)).toEqual([]);
  });

  it('10 concurrent refreshes with one token: every answer is the same pair or a refusal, one live family, no 500', async () => {
    const first = await signIn();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => rotateRefreshToken(deps, { refreshToken: first.refreshToken, jkt: JKT }, context())),
    );
    const unexpected = results.filter(
      (r) => r.status === 'rejected' && !(isAppError(r.reason) && r.reason.code === 'AUTH_REFRESH_INVALID'),
    );
    expect(unexpected).toEqual([]);
    const pairs = new Set(results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.refreshToken] : [])));
    expect(pairs.size).toBe(1);
    const live = await listSessions(deps, accountId);
    expect(live).toHaveLength(1);
    const liveRefresh = await deps.db
      .selectFrom('session_tokens')
      .select('id')
      .where('kind', '=', 'refresh')
      .where('used_at', 'is', null)
      .execute();
    expect(liveRefresh).toHaveLength(1);
  });

  it('refuses an unspent refresh token signed by another DPoP key, without ending the owner’s session', async () => {
    const first = await signIn();
    expect(await refusalCode(rotateRefreshToken(deps, { refreshToken: first.refreshToken, jkt: OTHER_JKT }, context()))).toBe(
      'AUTH_REFRESH_INVALID',
    );
    expect(await rotateRefreshToken(deps, { refreshToken: first.refreshToken, jkt: JKT }, context())).toMatchObject({ tokenType: 'DPoP' });
  });

  it('ends sessions at the idle and absolute timeouts', async () => {
    const idle = await signIn();
    deps.clock.advance(deps.config.refreshIdleTtlSeconds * 1000 + 1);
    expect(await refusalCode(rotateRefreshToken(deps, { refreshToken: idle.refreshToken, jkt: JKT }, context()))).toBe(
      'AUTH_REFRESH_INVALID',
    );

    let tokens = await signIn();
    const step = (deps.config.refreshIdleTtlSeconds - 60) * 1000;
    for (let elapsed = 0; elapsed + step < deps.config.refreshAbsoluteTtlSeconds * 1000; elapsed += step) {
      deps.clock.advance(step);
      tokens = await rotateRefreshToken(deps, { refreshToken: tokens.refreshToken, jkt: JKT }, context());
    }
    deps.clock.advance(deps.config.refreshIdleTtlSeconds * 1000 - 1);
    expect(await refusalCode(rotateRefreshToken(deps, { refreshToken: tokens.refreshToken, jkt: JKT }, context()))).toBe(
      'AUTH_REFRESH_INVALID',
    );
  });

  it('expires access tokens after their lifetime', async () => {
    const tokens = await signIn();
    deps.clock.advance(deps.config.accessTokenTtlSeconds * 1000);
    expect(await authenticateAccessToken(deps, tokens.accessToken)).toBeUndefined();
  });

  it('revocation is scoped to the account: one account cannot revoke another account’s session', async () => {
    const mine = await signIn();
    const revoked = await revokeSessions(deps, { accountId: randomUUID(), only: mine.sessionId, reason: 'user' }, context());
    expect(revoked).toBe(0);
    expect(await authenticateAccessToken(deps, mine.accessToken)).toBeDefined();
    expect(await revokeSessions(deps, { accountId, only: mine.sessionId, reason: 'user' }, context())).toBe(1);
    expect(await authenticateAccessToken(deps, mine.accessToken)).toBeUndefined();
  });

  it('no value stored in the session tables authenticates a request', async () => {
    const tokens = await signIn();
    await rotateRefreshToken(deps, { refreshToken: tokens.refreshToken, jkt: JKT }, context());
    const rows = [
      ...(await deps.db.selectFrom('sessions').selectAll().execute()),
      ...(await deps.db.selectFrom('session_tokens').selectAll().execute()),
    ];
    const values = rows.flatMap((row) => Object.values(row)).filter((v): v is string => typeof v === 'string');
    const tokenIds = await deps.db.selectFrom('session_tokens').select(['id', 'secret_hash']).execute();
    // Every stored string, and every id paired with every stored hash, as a token candidate.
    const candidates = [
      ...values,
      ...tokenIds.flatMap((t) => values.map((v) => `${t.id}.${v}`)),
      ...tokenIds.map((t) => `${t.id}.${t.secret_hash}`),
    ];
    for (const candidate of candidates) {
      expect(await authenticateAccessToken(deps, candidate)).toBeUndefined();
      expect(await refusalCode(rotateRefreshToken(deps, { refreshToken: candidate, jkt: JKT }, context()))).toBe('AUTH_REFRESH_INVALID');
    }
    expect(values.some((v) => tokens.accessToken.includes(v) && v.length > 30)).toBe(false);
  });
});
