/**
 * The challenge store on its own, on SQLite and PostgreSQL: each condition of the one-winner
 * claim (unused, unexpired, same ceremony, same owner) refuses on its own, with the reason the
 * audit log records. ASVS V6.6.2, V6.7.2.
 */
import { insertAccountRow } from '../../test-support/account-rows.ts';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import { manualClock } from '../../platform/clock/clock.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { consumeChallenge, issueChallenge, type ChallengeDeps, type ChallengeOwner } from './challenges.ts';

describe.each(testDatabases())('passkey challenge store on $dialect', ({ dialect }) => {
  let app: App;
  let deps: ChallengeDeps & { readonly clock: ReturnType<typeof manualClock> };
  let owner: ChallengeOwner & object;
  beforeAll(async () => {
    app = await buildTestApp({ dialect });
    deps = { db: app.portcullis.database.db, clock: manualClock(Date.UTC(2026, 0, 1)), ttlMs: 300_000 };
    const accountId = randomUUID();
    await insertAccountRow(app, {
      id: accountId,
      email: 'store@example.test',
      email_verified_at: null,
      password_hash: null,
      password_changed_at: null,
      roles: '[]',
      status: 'active',
      created_at: 0,
      updated_at: 0,
    });
    owner = { accountId, sessionId: 'se_test' };
  });
  afterAll(() => app.close());

  it('spends a challenge exactly once', async () => {
    const challenge = await issueChallenge(deps, 'authentication', null);
    expect(await consumeChallenge(deps, challenge, 'authentication', null)).toBeUndefined();
    expect(await consumeChallenge(deps, challenge, 'authentication', null)).toBe('used');
  });

  it('refuses a challenge of the other ceremony, even for its own owner', async () => {
    const challenge = await issueChallenge(deps, 'registration', owner);
    expect(await consumeChallenge(deps, challenge, 'authentication', owner)).toBe('other_ceremony');
    expect(await consumeChallenge(deps, challenge, 'registration', owner)).toBeUndefined();
  });

  it('refuses a challenge presented by another owner', async () => {
    const challenge = await issueChallenge(deps, 'registration', owner);
    expect(await consumeChallenge(deps, challenge, 'registration', { ...owner, sessionId: 'se_other' })).toBe('other_owner');
    expect(await consumeChallenge(deps, challenge, 'registration', null)).toBe('other_owner');
  });

  it('refuses a challenge at its expiry instant', async () => {
    const challenge = await issueChallenge(deps, 'authentication', null);
    deps.clock.advance(300_000);
    expect(await consumeChallenge(deps, challenge, 'authentication', null)).toBe('expired');
  });

  it('refuses a challenge it never issued, and sweeps expired ones when issuing', async () => {
    expect(await consumeChallenge(deps, 'bm90LWlzc3VlZA', 'authentication', null)).toBe('unknown');
    const old = await issueChallenge(deps, 'authentication', null);
    deps.clock.advance(300_000);
    await issueChallenge(deps, 'authentication', null);
    expect(await consumeChallenge(deps, old, 'authentication', null)).toBe('unknown');
  });
});
