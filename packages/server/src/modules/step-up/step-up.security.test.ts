/**
 * Security invariants of step-up, on SQLite and PostgreSQL, through HTTP with DPoP-bound
 * sessions. Each block states one property and fails if the check that provides it is removed:
 *
 * - binding to the action: a step-up answered for one request authorizes no other method, path,
 *   query or body (ASVS V7.5.3; the analogue of V6.6.2 "bound to the original request");
 * - binding to the session: no other session or account can answer or use it (V7.5.1);
 * - one use: a token authorizes one request, even under a concurrent burst (V6.5.1, V2.3.4);
 * - order: an unanswered or expired challenge authorizes nothing (V2.3.1, V6.5.5);
 * - level: a code never satisfies an `aal2_phr` route, even if the route's level rises after
 *   the answer (V6.3.3);
 * - attempt limits per challenge and per account (V6.3.1, V6.6.3);
 * - the passkey's WebAuthn challenge commits to the action and is good for one assertion;
 * - every step is audited with a reason and no secret (V16.3.1, V16.3.2).
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import type { StepUpPasskeyOptions } from '@portcullis/protocol';
import { actionDigest } from '../../platform/routes/step-up.ts';
import { TestDevice } from '../../test-support/dpop-client.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { SoftwareAuthenticator, TEST_WEB_ORIGIN, registerPasskey } from '../../test-support/software-authenticator.ts';
import {
  problemOf,
  sendWithStepUp,
  stepUpChallengeOf,
  verifyStepUpWithCode,
  verifyStepUpWithPasskey,
} from '../../test-support/step-up-client.ts';
import {
  FIXTURE_TRANSFERS,
  auditRows,
  buildStepUpTestApp,
  nextTotpCode,
  personWithTotp,
  signInWithTotp,
  stepUpFixtureRoutes,
  wrongCode,
  type PersonWithTotp,
  type StepUpTestApp,
} from './test-support/step-up-harness.ts';

const TRANSFER = { to: 'clinic', amount: 10 };

/** Gets a challenge for `request` and answers it with a TOTP code; returns the token. */
async function answeredToken(
  harness: StepUpTestApp,
  person: PersonWithTotp,
  request: { method: 'POST' | 'PUT' | 'DELETE'; url: string; payload?: unknown },
): Promise<string> {
  const { token } = stepUpChallengeOf(await sendWithStepUp(person.device, request));
  const verified = await verifyStepUpWithCode(person.device, token, 'totp', nextTotpCode(harness, person));
  if (verified.statusCode !== 200) throw new Error(`step-up refused: ${verified.body}`);
  return token;
}

const transfer = (payload: unknown = TRANSFER, url = FIXTURE_TRANSFERS) => ({ method: 'POST' as const, url, payload });

describe.each(testDatabases())('step-up invariants on $dialect', ({ dialect }) => {
  let harness: StepUpTestApp;
  let pat: PersonWithTotp;
  beforeEach(async () => {
    harness = await buildStepUpTestApp(dialect);
    pat = await personWithTotp(harness, 'pat@example.test');
  });
  afterEach(() => harness.app.close());

  describe('V7.5.3: a step-up authorizes only the action it was made for', () => {
    it('refuses the token with a different body, then still accepts it with the original one', async () => {
      const token = await answeredToken(harness, pat, transfer());
      const other = await sendWithStepUp(pat.device, transfer({ to: 'clinic', amount: 10_000 }), token);
      expect(problemOf(other)).toEqual([401, 'STEP_UP_REQUIRED']);
      expect(stepUpChallengeOf(other).token).not.toBe(token); // a fresh challenge, for the other body
      const added = await sendWithStepUp(pat.device, transfer({ ...TRANSFER, memo: 'x' }), token);
      expect(problemOf(added)).toEqual([401, 'STEP_UP_REQUIRED']);
      expect((await sendWithStepUp(pat.device, transfer(), token)).statusCode).toBe(201);
    });

    it('treats the same JSON with its keys in another order as the same action (canonical JSON)', async () => {
      const token = await answeredToken(harness, pat, transfer({ to: 'clinic', amount: 10 }));
      expect((await sendWithStepUp(pat.device, transfer({ amount: 10, to: 'clinic' }), token)).statusCode).toBe(201);
    });

    it('refuses the token on another method (PUT instead of POST, same path and body)', async () => {
      const token = await answeredToken(harness, pat, transfer());
      expect(problemOf(await sendWithStepUp(pat.device, { ...transfer(), method: 'PUT' }, token))).toEqual([401, 'STEP_UP_REQUIRED']);
    });

    it('refuses the token with another query string', async () => {
      const token = await answeredToken(harness, pat, transfer(TRANSFER, `${FIXTURE_TRANSFERS}?dryRun=true`));
      expect(problemOf(await sendWithStepUp(pat.device, transfer(), token))).toEqual([401, 'STEP_UP_REQUIRED']);
      const other = await sendWithStepUp(pat.device, transfer(TRANSFER, `${FIXTURE_TRANSFERS}?dryRun=false`), token);
      expect(problemOf(other)).toEqual([401, 'STEP_UP_REQUIRED']);
    });

    it('refuses the token on another resource: removing one authenticator app does not authorize removing another', async () => {
      const token = await answeredToken(harness, pat, { method: 'DELETE', url: `/v1/mfa/totp/${pat.factorId}` });
      const otherId = '00000000-0000-4000-8000-000000000000';
      // Refused at the step-up door (401), not by the handler (404): the token was worth nothing there.
      expect(problemOf(await sendWithStepUp(pat.device, { method: 'DELETE', url: `/v1/mfa/totp/${otherId}` }, token))).toEqual([
        401,
        'STEP_UP_REQUIRED',
      ]);
      expect(problemOf(await sendWithStepUp(pat.device, { method: 'POST', url: '/v1/mfa/recovery-codes' }, token))).toEqual([
        401,
        'STEP_UP_REQUIRED',
      ]);
      expect((await sendWithStepUp(pat.device, { method: 'DELETE', url: `/v1/mfa/totp/${pat.factorId}` }, token)).statusCode).toBe(204);
      expect((await auditRows(harness.app)).filter((row) => row.reason === 'use_action_mismatch')).toHaveLength(2);
    });
  });

  describe('V6.5.1: a step-up token authorizes one request', () => {
    it('refuses the same token on the same request once it has been used', async () => {
      const token = await answeredToken(harness, pat, { method: 'POST', url: '/v1/mfa/recovery-codes' });
      expect((await sendWithStepUp(pat.device, { method: 'POST', url: '/v1/mfa/recovery-codes' }, token)).statusCode).toBe(201);
      const replay = await sendWithStepUp(pat.device, { method: 'POST', url: '/v1/mfa/recovery-codes' }, token);
      expect(problemOf(replay)).toEqual([401, 'STEP_UP_REQUIRED']);
      expect(await auditRows(harness.app)).toContainEqual({ action: 'step_up.failed', outcome: 'failure', reason: 'use_already_used' });
    });

    it('V2.3.4: of concurrent requests with one answered token exactly one goes through', async () => {
      const token = await answeredToken(harness, pat, { method: 'POST', url: '/v1/mfa/recovery-codes' });
      const responses = await Promise.all(
        Array.from({ length: 6 }, () => sendWithStepUp(pat.device, { method: 'POST', url: '/v1/mfa/recovery-codes' }, token)),
      );
      expect(responses.map((response) => response.statusCode).sort()).toEqual([201, 401, 401, 401, 401, 401]);
      const generated = await auditRows(harness.app, 'mfa.recovery_codes_generated');
      expect(generated).toHaveLength(2); // the first set, with the TOTP confirmation, and this one
    });
  });

  describe('V7.5.1: a step-up belongs to the session that was asked', () => {
    it('another session of the same account can neither answer nor use it', async () => {
      const laptop = new TestDevice(harness.app);
      await signInWithTotp(harness, pat, laptop);
      const { token } = stepUpChallengeOf(await sendWithStepUp(pat.device, transfer()));
      expect(problemOf(await verifyStepUpWithCode(laptop, token, 'totp', nextTotpCode(harness, pat)))).toEqual([
        400,
        'STEP_UP_CHALLENGE_INVALID',
      ]);
      expect((await verifyStepUpWithCode(pat.device, token, 'totp', nextTotpCode(harness, pat))).statusCode).toBe(200);
      // The fixture route always needs a step-up (maxAge 0), even for the laptop's fresh aal2 session.
      expect(problemOf(await sendWithStepUp(laptop, transfer(), token))).toEqual([401, 'STEP_UP_REQUIRED']);
      expect((await sendWithStepUp(pat.device, transfer(), token)).statusCode).toBe(201);
      const reasons = (await auditRows(harness.app)).map((row) => row.reason);
      expect(reasons).toEqual(expect.arrayContaining(['answer_other_session', 'use_other_session']));
    });

    it('another account can neither answer nor use it', async () => {
      const sam = await personWithTotp(harness, 'sam@example.test');
      const { token } = stepUpChallengeOf(await sendWithStepUp(pat.device, transfer()));
      expect(problemOf(await verifyStepUpWithCode(sam.device, token, 'totp', nextTotpCode(harness, sam)))).toEqual([
        400,
        'STEP_UP_CHALLENGE_INVALID',
      ]);
      expect((await verifyStepUpWithCode(pat.device, token, 'totp', nextTotpCode(harness, pat))).statusCode).toBe(200);
      expect(problemOf(await sendWithStepUp(sam.device, transfer(), token))).toEqual([401, 'STEP_UP_REQUIRED']);
    });

    it('a token with the right id and a wrong secret is unknown, to answer and to use', async () => {
      const { token } = stepUpChallengeOf(await sendWithStepUp(pat.device, transfer()));
      const forged = `${token.slice(0, token.indexOf('.') + 1)}${'A'.repeat(43)}`;
      expect(problemOf(await verifyStepUpWithCode(pat.device, forged, 'totp', nextTotpCode(harness, pat)))).toEqual([
        400,
        'STEP_UP_CHALLENGE_INVALID',
      ]);
      expect((await verifyStepUpWithCode(pat.device, token, 'totp', nextTotpCode(harness, pat))).statusCode).toBe(200);
      expect(problemOf(await sendWithStepUp(pat.device, transfer(), forged))).toEqual([401, 'STEP_UP_REQUIRED']);
      expect((await auditRows(harness.app)).filter((row) => row.reason?.endsWith('unknown_challenge'))).toHaveLength(2);
    });
  });

  describe('V2.3.1: only an answered, unexpired challenge authorizes', () => {
    it('an unanswered token is refused; answered, the same token works', async () => {
      const { token } = stepUpChallengeOf(await sendWithStepUp(pat.device, transfer()));
      expect(problemOf(await sendWithStepUp(pat.device, transfer(), token))).toEqual([401, 'STEP_UP_REQUIRED']);
      expect(await auditRows(harness.app)).toContainEqual({ action: 'step_up.failed', outcome: 'failure', reason: 'use_not_verified' });
      expect((await verifyStepUpWithCode(pat.device, token, 'totp', nextTotpCode(harness, pat))).statusCode).toBe(200);
      expect((await sendWithStepUp(pat.device, transfer(), token)).statusCode).toBe(201);
    });

    it('V6.5.5: an answered token is refused once the challenge expires (5 minutes)', async () => {
      const token = await answeredToken(harness, pat, transfer()); // answered 30 s after it was issued
      harness.clock.advance(270_000);
      expect(problemOf(await sendWithStepUp(pat.device, transfer(), token))).toEqual([401, 'STEP_UP_REQUIRED']);
      expect(await auditRows(harness.app)).toContainEqual({ action: 'step_up.failed', outcome: 'failure', reason: 'use_expired' });
    });

    it('V6.5.5: an expired challenge can no longer be answered', async () => {
      const { token } = stepUpChallengeOf(await sendWithStepUp(pat.device, transfer()));
      harness.clock.advance(300_000);
      const code = nextTotpCode(harness, pat);
      expect(problemOf(await verifyStepUpWithCode(pat.device, token, 'totp', code))).toEqual([400, 'STEP_UP_CHALLENGE_INVALID']);
      // Refused before the code was checked: the code is still good for a live challenge.
      const fresh = stepUpChallengeOf(await sendWithStepUp(pat.device, transfer())).token;
      expect((await verifyStepUpWithCode(pat.device, fresh, 'totp', code)).statusCode).toBe(200);
    });

    it('an answered challenge cannot be answered again (refused before the code is checked)', async () => {
      const token = await answeredToken(harness, pat, transfer());
      const code = nextTotpCode(harness, pat);
      expect(problemOf(await verifyStepUpWithCode(pat.device, token, 'totp', code))).toEqual([400, 'STEP_UP_CHALLENGE_INVALID']);
      const fresh = stepUpChallengeOf(await sendWithStepUp(pat.device, transfer())).token;
      expect((await verifyStepUpWithCode(pat.device, fresh, 'totp', code)).statusCode).toBe(200);
    });
  });

  describe('V6.3.1: wrong codes are limited per challenge and per account', () => {
    const limited = { mfa: { attemptsPerChallenge: 3, attemptsPerAccount: 4, lockoutSeconds: 600 } };

    it('spends a challenge after its attempts: not even the right code answers it then; a new challenge does', async () => {
      await harness.app.close();
      harness = await buildStepUpTestApp(dialect, { config: { mfa: { attemptsPerChallenge: 3 } } });
      pat = await personWithTotp(harness, 'pat@example.test');
      const { token } = stepUpChallengeOf(await sendWithStepUp(pat.device, transfer()));
      for (let i = 0; i < 3; i++) {
        expect(problemOf(await verifyStepUpWithCode(pat.device, token, 'totp', wrongCode(harness, pat)))).toEqual([
          401,
          'MFA_CODE_INVALID',
        ]);
      }
      const right = nextTotpCode(harness, pat);
      expect(problemOf(await verifyStepUpWithCode(pat.device, token, 'totp', right))).toEqual([400, 'STEP_UP_CHALLENGE_INVALID']);
      expect(problemOf(await sendWithStepUp(pat.device, transfer(), token))).toEqual([401, 'STEP_UP_REQUIRED']);
      const fresh = stepUpChallengeOf(await sendWithStepUp(pat.device, transfer())).token;
      expect((await verifyStepUpWithCode(pat.device, fresh, 'totp', right)).statusCode).toBe(200);
      expect((await sendWithStepUp(pat.device, transfer(), fresh)).statusCode).toBe(201);
    });

    it('a concurrent burst of wrong codes cannot exceed the challenge’s attempts', async () => {
      await harness.app.close();
      harness = await buildStepUpTestApp(dialect, { config: { mfa: { attemptsPerChallenge: 3 } } });
      pat = await personWithTotp(harness, 'pat@example.test');
      const { token } = stepUpChallengeOf(await sendWithStepUp(pat.device, transfer()));
      const wrong = wrongCode(harness, pat);
      const responses = await Promise.all(Array.from({ length: 8 }, () => verifyStepUpWithCode(pat.device, token, 'totp', wrong)));
      const codes = responses.map((response) => problemOf(response)[1]);
      expect(codes.filter((code) => code === 'MFA_CODE_INVALID')).toHaveLength(3);
      expect(codes.filter((code) => code === 'STEP_UP_CHALLENGE_INVALID')).toHaveLength(5);
    });

    it('wrong codes across challenges count against the account: the budget spent, codes lock (checkSecondFactor)', async () => {
      await harness.app.close();
      harness = await buildStepUpTestApp(dialect, { config: limited });
      pat = await personWithTotp(harness, 'pat@example.test');
      const first = stepUpChallengeOf(await sendWithStepUp(pat.device, transfer())).token;
      for (let i = 0; i < 3; i++) await verifyStepUpWithCode(pat.device, first, 'totp', wrongCode(harness, pat));
      const second = stepUpChallengeOf(await sendWithStepUp(pat.device, transfer())).token;
      expect(problemOf(await verifyStepUpWithCode(pat.device, second, 'totp', wrongCode(harness, pat)))).toEqual([401, 'MFA_CODE_INVALID']);
      const locked = await verifyStepUpWithCode(pat.device, second, 'totp', nextTotpCode(harness, pat));
      expect(problemOf(locked)).toEqual([429, 'MFA_LOCKED']);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
      expect(await auditRows(harness.app, 'mfa.factor_locked')).toHaveLength(1);
      expect(await auditRows(harness.app)).toContainEqual({ action: 'step_up.failed', outcome: 'failure', reason: 'answer_factor_locked' });
    });
  });

  describe('V6.3.3: a code never satisfies a route that needs a passkey', () => {
    it('a code-answered step-up does not authorize the action once the route needs aal2_phr', async () => {
      // Two deployments of one server on one database: the second raised the route to aal2_phr
      // after the first issued and the person answered the step-up with a TOTP code.
      const raised = await buildStepUpTestApp(dialect, { sharing: harness, plugins: [stepUpFixtureRoutes('aal2_phr')] });
      try {
        expect((await registerPasskey(pat.device, new SoftwareAuthenticator())).statusCode).toBe(201);
        const token = await answeredToken(harness, pat, transfer());
        const onRaised = new TestDevice(raised.app, pat.device.key);
        onRaised.tokens = pat.device.tokens;
        const refused = await sendWithStepUp(onRaised, transfer(), token);
        expect(problemOf(refused)).toEqual([401, 'STEP_UP_REQUIRED']);
        expect(stepUpChallengeOf(refused).level).toBe('aal2_phr');
        expect(await auditRows(harness.app)).toContainEqual({ action: 'step_up.failed', outcome: 'failure', reason: 'use_level_too_low' });
        // Still good where aal2 suffices.
        expect((await sendWithStepUp(pat.device, transfer(), token)).statusCode).toBe(201);
      } finally {
        await raised.app.close();
      }
    });
  });

  describe('passkey step-ups: the WebAuthn challenge commits to the action and is spent once', () => {
    let phone: SoftwareAuthenticator;
    let removeUrl: string;
    beforeEach(async () => {
      phone = new SoftwareAuthenticator();
      const registered = await registerPasskey(pat.device, phone);
      removeUrl = `/v1/passkeys/${registered.json<{ id: string }>().id}`;
    });

    const options = async (token: string): Promise<StepUpPasskeyOptions> => {
      const response = await pat.device.call('POST', '/v1/step-up/passkey/options', { challenge: token });
      expect(response.statusCode).toBe(200);
      return response.json<StepUpPasskeyOptions>();
    };
    const verify = (token: string, credential: unknown): Promise<LightMyRequestResponse> =>
      pat.device.call('POST', '/v1/step-up/passkey/verify', { challenge: token, credential });

    it('the WebAuthn challenge is SHA-256 over the step-up challenge id, the ceremony nonce and the action digest', async () => {
      const { token } = stepUpChallengeOf(await pat.device.call('DELETE', removeUrl));
      const offered = await options(token);
      const id = token.slice(0, token.indexOf('.'));
      const { passkey_nonce: nonce } = await harness.app.portcullis.database.db
        .selectFrom('step_up_challenges')
        .select('passkey_nonce')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      const digest = actionDigest({ method: 'DELETE', url: removeUrl, body: undefined });
      const expected = createHash('sha256')
        .update(`portcullis-step-up-webauthn/1\u0000${id}\u0000${nonce ?? ''}\u0000${digest}`)
        .digest('base64url');
      expect(offered.challenge).toBe(expected);
    });

    it('lists only the account’s passkeys and requires user verification', async () => {
      const { token } = stepUpChallengeOf(await pat.device.call('DELETE', removeUrl));
      const offered = await options(token);
      expect(offered).toMatchObject({ userVerification: 'required', rpId: 'portcullis.test' });
      expect(offered.allowCredentials.map((credential) => credential.id)).toEqual(phone.credentialIds);
      expect(problemOf(await verify(token, phone.assert(offered, { origin: TEST_WEB_ORIGIN, userVerified: false })))).toEqual([
        400,
        'STEP_UP_PASSKEY_FAILED',
      ]);
      expect(await auditRows(harness.app)).toContainEqual({
        action: 'step_up.failed',
        outcome: 'failure',
        reason: 'answer_passkey_user_not_verified',
      });
    });

    it('an assertion over the options of one action does not answer a challenge for another', async () => {
      const removal = stepUpChallengeOf(await pat.device.call('DELETE', removeUrl)).token;
      const payment = stepUpChallengeOf(await sendWithStepUp(pat.device, transfer())).token;
      const forRemoval = phone.assert(await options(removal), { origin: TEST_WEB_ORIGIN });
      await options(payment); // a ceremony is open on the payment challenge too
      expect(problemOf(await verify(payment, forRemoval))).toEqual([400, 'STEP_UP_PASSKEY_FAILED']);
      expect(problemOf(await sendWithStepUp(pat.device, transfer(), payment))).toEqual([401, 'STEP_UP_REQUIRED']);
    });

    it('an assertion is good for one verification: replayed on a new ceremony it is refused', async () => {
      const { token } = stepUpChallengeOf(await pat.device.call('DELETE', removeUrl));
      const assertion = phone.assert(await options(token), { origin: TEST_WEB_ORIGIN, userVerified: false });
      expect(problemOf(await verify(token, assertion))).toEqual([400, 'STEP_UP_PASSKEY_FAILED']);
      expect(problemOf(await verify(token, assertion))).toEqual([400, 'STEP_UP_CHALLENGE_INVALID']); // ceremony closed
      await options(token);
      expect(problemOf(await verify(token, assertion))).toEqual([400, 'STEP_UP_PASSKEY_FAILED']); // new nonce, new challenge
      expect((await verifyStepUpWithPasskey(pat.device, token, phone)).statusCode).toBe(200);
      expect((await sendWithStepUp(pat.device, { method: 'DELETE', url: removeUrl }, token)).statusCode).toBe(204);
    });

    it('another account’s passkey cannot answer', async () => {
      const sam = await personWithTotp(harness, 'sam@example.test');
      const samsKey = new SoftwareAuthenticator();
      expect((await registerPasskey(sam.device, samsKey)).statusCode).toBe(201);
      const { token } = stepUpChallengeOf(await pat.device.call('DELETE', removeUrl));
      expect(problemOf(await verify(token, samsKey.assert(await options(token), { origin: TEST_WEB_ORIGIN })))).toEqual([
        400,
        'STEP_UP_PASSKEY_FAILED',
      ]);
      expect(await auditRows(harness.app)).toContainEqual({
        action: 'step_up.failed',
        outcome: 'failure',
        reason: 'answer_passkey_unknown_credential',
      });
    });
  });

  it('V16.3.1: audits issue, answer, failure and use with reason codes; no token, secret or code is stored in the clear', async () => {
    const { token } = stepUpChallengeOf(await sendWithStepUp(pat.device, transfer()));
    const wrong = wrongCode(harness, pat);
    await verifyStepUpWithCode(pat.device, token, 'totp', wrong);
    const right = nextTotpCode(harness, pat);
    await verifyStepUpWithCode(pat.device, token, 'totp', right);
    await sendWithStepUp(pat.device, transfer(), token);
    expect((await auditRows(harness.app)).map((row) => [row.action, row.outcome, row.reason])).toEqual([
      ['step_up.challenge_issued', 'success', 'aal2'],
      ['step_up.failed', 'failure', 'answer_code_invalid'],
      ['step_up.verified', 'success', 'totp'],
      ['step_up.used', 'success', 'aal2'],
    ]);
    const db = harness.app.portcullis.database.db;
    const dump = JSON.stringify([
      await db.selectFrom('audit_events').selectAll().execute(),
      await db.selectFrom('step_up_challenges').selectAll().execute(),
    ]);
    const secret = token.slice(token.indexOf('.') + 1);
    expect(dump).not.toContain(secret);
    expect(dump).toContain(token.slice(0, token.indexOf('.'))); // the id is the row's key
  });
});
