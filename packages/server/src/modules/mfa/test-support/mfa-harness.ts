/**
 * @module modules/mfa/test-support/mfa-harness
 *
 * Test helper, never imported by production code: builds the app with a clock the test moves,
 * signs people in through the real API with DPoP-bound sessions, and computes authenticator
 * codes independently of the code under test (otpauth's own TOTP class, from the base32 text the
 * enrolment returned).
 */
import { rmSync } from 'node:fs';
import { Secret, TOTP } from 'otpauth';
import type { RecoveryCodes, TokenResponse, TotpConfirmation, TotpEnrolment } from '@portcullis/protocol';
import { buildApp, type App } from '../../../app.ts';
import { manualClock } from '../../../platform/clock/clock.ts';
import { createLogger } from '../../../platform/logging/logger.ts';
import { testConfig } from '../../../test-support/build-test-app.ts';
import type { TestDialect } from '../../../test-support/databases.ts';
import { TestDevice, createVerifiedAccount } from '../../../test-support/dpop-client.ts';
import { issueSession } from '../../sessions/index.ts';
import type { MfaDeps } from '../index.ts';
import { testRequestContext } from '../../../test-support/request-context.ts';

export type ManualClock = ReturnType<typeof manualClock>;

export interface MfaTestApp {
  readonly app: App;
  readonly clock: ManualClock;
  /** The same dependencies the app wires into the MFA module. */
  readonly deps: MfaDeps;
}

/** Mid-step start (…:15 s), so ±1-step tests never straddle a boundary by accident. */
const START = Date.UTC(2026, 0, 1, 9, 0, 15);

export async function buildMfaTestApp(dialect: TestDialect): Promise<MfaTestApp> {
  const config = testConfig({ dialect });
  const clock = manualClock(START);
  const app = await buildApp(config, { logger: createLogger(config), clock });
  app.addHook('onClose', () => rmSync(config.dataDir, { recursive: true, force: true }));
  const { database, keyRing, dataProtection, sessions } = app.portcullis;
  return { app, clock, deps: { db: database.db, clock, keyRing, dataProtection, sessions } };
}

export interface SignedInPerson {
  readonly device: TestDevice;
  readonly accountId: string;
  readonly email: string;
}

/** Signs up, verifies and signs in through the API: an aal1 (password) session bound to a fresh device key. */
export async function signedInPerson(app: App, email: string): Promise<SignedInPerson> {
  const device = new TestDevice(app);
  const { password } = await createVerifiedAccount(app, device, email);
  const signIn = await device.signIn(email, password);
  if (signIn.statusCode !== 201) throw new Error(`sign-in failed: ${signIn.body}`);
  const me = await device.call('GET', '/v1/accounts/me');
  return { device, accountId: me.json<{ id: string }>().id, email };
}

/**
 * Gives the device an aal2 session, as the sign-in challenge will once it exists: minted through
 * the sessions module's one door, bound to the device's own DPoP key.
 */
export async function elevateToAal2(app: App, person: SignedInPerson): Promise<void> {
  person.device.tokens = await issueSession(
    app.portcullis.sessions,
    {
      accountId: person.accountId,
      aal: 'aal2',
      amr: ['pwd', 'otp'],
      jkt: person.device.key.jkt,
      device: { label: 'Test phone', platform: 'ios' },
    },
    testRequestContext(app.portcullis.sessions, 'test-elevation'),
  );
}

/** The code an authenticator app holding `secret` shows at `nowMs` shifted by `steps` time steps. */
export function authenticatorCode(secret: string, nowMs: number, steps = 0): string {
  const totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });
  return totp.generate({ timestamp: nowMs + steps * 30_000 });
}

export interface EnrolledFactor {
  readonly enrolment: TotpEnrolment;
  readonly confirmation: TotpConfirmation;
  /** The code that confirmed the factor (already spent). */
  readonly confirmCode: string;
  readonly recoveryCodes: RecoveryCodes | null;
}

/** Enrols and confirms an authenticator app through the API. */
export async function enrolTotp(mfa: MfaTestApp, person: SignedInPerson, label?: string): Promise<EnrolledFactor> {
  const start = await person.device.call('POST', '/v1/mfa/totp', label === undefined ? {} : { label });
  if (start.statusCode !== 201) throw new Error(`enrolment failed: ${start.body}`);
  const enrolment = start.json<TotpEnrolment>();
  const confirmCode = authenticatorCode(enrolment.secret, mfa.clock.now());
  const confirm = await person.device.call('POST', `/v1/mfa/totp/${enrolment.factorId}/confirm`, { code: confirmCode });
  if (confirm.statusCode !== 200) throw new Error(`confirmation failed: ${confirm.body}`);
  const confirmation = confirm.json<TotpConfirmation>();
  return { enrolment, confirmation, confirmCode, recoveryCodes: confirmation.recoveryCodes };
}

/**
 * Signs `device` in with the password and answers the `MFA_REQUIRED` challenge with a recovery
 * code, through the API; returns the final response (201 with tokens on success).
 */
export async function signInWithRecoveryCode(device: TestDevice, email: string, password: string, recoveryCode: string) {
  const first = await device.signIn(email, password);
  const problem = first.json<{ code: string; challenge?: { token: string } }>();
  if (first.statusCode !== 401 || problem.code !== 'MFA_REQUIRED' || !problem.challenge)
    throw new Error(`expected MFA_REQUIRED: ${first.body}`);
  const second = await device.send({
    method: 'POST',
    url: '/v1/sessions/mfa',
    payload: { challenge: problem.challenge.token, method: 'recovery_code', code: recoveryCode },
  });
  if (second.statusCode === 201) device.tokens = second.json<TokenResponse>();
  return second;
}
