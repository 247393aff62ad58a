/**
 * @module modules/privacy/test-support/privacy-harness
 *
 * Test helper, never imported by production code: the app with a clock the test moves, people
 * signed up, verified and signed in through the real API with an authenticator app enrolled
 * (so they can answer step-up), and the audit log checked the way `portcullis audit verify` does.
 */
import { rmSync } from 'node:fs';
import { Secret, TOTP } from 'otpauth';
import { expect } from 'vitest';
import type { TotpEnrolment } from '@portcullis/protocol';
import { buildApp, type App } from '../../../app.ts';
import type { Config, ConfigOverrides } from '../../../config/schema.ts';
import { manualClock } from '../../../platform/clock/clock.ts';
import { auditLogKey, checkpointIfDue } from '../../../platform/audit/index.ts';
import { verifyAuditLog } from '../../../platform/audit/verify/verify-log.ts';
import { createLogger } from '../../../platform/logging/logger.ts';
import { captureLines, testConfig } from '../../../test-support/build-test-app.ts';
import { runCli } from '../../../test-support/cli.ts';
import type { TestDialect } from '../../../test-support/databases.ts';
import type { KeyLogAppender } from '../../messaging/index.ts';
import { TestDevice, createVerifiedAccount } from '../../../test-support/dpop-client.ts';
import { addEntryAs, createAccount, insertGrant, signedInDevice } from '../../../test-support/records-world.ts';
import { sendWithStepUp, stepUpChallengeOf, verifyStepUpWithCode } from '../../../test-support/step-up-client.ts';

/** Mid-step start (…:15 s), so TOTP steps never straddle a boundary by accident. */
const START = Date.UTC(2026, 0, 1, 9, 0, 15);
export const PASSWORD = 'correct horse battery staple';

export interface PrivacyHarness {
  readonly app: App;
  readonly clock: ReturnType<typeof manualClock>;
  readonly config: Config;
}

export async function buildPrivacyHarness(
  dialect: TestDialect,
  options: { readonly config?: ConfigOverrides; readonly logLines?: string[]; readonly keyLog?: KeyLogAppender } = {},
): Promise<PrivacyHarness> {
  const config = testConfig({ dialect, ...options });
  const clock = manualClock(START);
  const logger = options.logLines ? createLogger(config, captureLines(options.logLines)) : createLogger(config);
  const app = await buildApp(config, { logger, clock, ...(options.keyLog ? { keyLog: options.keyLog } : {}) });
  app.addHook('onClose', () => rmSync(config.dataDir, { recursive: true, force: true }));
  return { app, clock, config };
}

export interface PersonWithTotp {
  readonly device: TestDevice;
  readonly accountId: string;
  readonly email: string;
  readonly secret: string;
}

export function authenticatorCode(secret: string, nowMs: number): string {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: nowMs });
}

/** Signs up, verifies, signs in with the password (aal1) and enrols an authenticator app, all through the API. */
export async function personWithTotp(h: PrivacyHarness, email: string): Promise<PersonWithTotp> {
  const device = new TestDevice(h.app);
  await createVerifiedAccount(h.app, device, email, PASSWORD);
  const signIn = await device.signIn(email, PASSWORD);
  if (signIn.statusCode !== 201) throw new Error(`sign-in failed: ${signIn.body}`);
  const accountId = (await device.call('GET', '/v1/accounts/me')).json<{ id: string }>().id;
  const start = await device.call('POST', '/v1/mfa/totp', {});
  if (start.statusCode !== 201) throw new Error(`enrolment failed: ${start.body}`);
  const enrolment = start.json<TotpEnrolment>();
  const confirm = await device.call('POST', `/v1/mfa/totp/${enrolment.factorId}/confirm`, {
    code: authenticatorCode(enrolment.secret, h.clock.now()),
  });
  if (confirm.statusCode !== 200) throw new Error(`confirmation failed: ${confirm.body}`);
  return { device, accountId, email, secret: enrolment.secret };
}

/** Sends the request, answers the step-up it meets with the next authenticator code, and sends it again. */
export async function withStepUp(h: PrivacyHarness, person: PersonWithTotp, request: { method: 'GET' | 'DELETE'; url: string }) {
  const { token } = stepUpChallengeOf(await person.device.call(request.method, request.url));
  h.clock.advance(30_000);
  const verified = await verifyStepUpWithCode(person.device, token, 'totp', authenticatorCode(person.secret, h.clock.now()));
  if (verified.statusCode !== 200) throw new Error(`step-up failed: ${verified.body}`);
  return sendWithStepUp(person.device, request, token);
}

/**
 * Checkpoints the audit log and verifies it as `portcullis audit verify` does; with `cli`, also
 * runs the real command against the same database, data directory and key ring.
 */
export async function expectAuditLogVerifies(h: PrivacyHarness, options: { cli?: boolean } = {}): Promise<void> {
  const { database, keyRing } = h.app.portcullis;
  await checkpointIfDue({ db: database.db, clock: h.clock, keyRing, config: h.config });
  const report = await verifyAuditLog(database.db, auditLogKey(keyRing, h.config));
  expect(report.problems).toEqual([]);
  expect(report.entries).toBeGreaterThan(0);
  if (options.cli !== true) return;
  const result = await runCli(['audit', 'verify'], {
    PORTCULLIS_DATA_DIR: h.config.dataDir,
    PORTCULLIS_PUBLIC_URL: h.config.publicUrl,
    PORTCULLIS_DATABASE_URL: h.config.database.url,
    PORTCULLIS_LOG_LEVEL: 'silent',
    PORTCULLIS_DATABASE_SCHEMA: h.config.database.schema,
  });
  expect(result.stderr).toBe('');
  expect(result.stdout).toMatch(new RegExp(`^audit log intact: ${report.entries} entries`));
  expect(result.code).toBe(0);
}

/** A patient with an authenticator app, a profile, an entry in their file, a grant and a second session. */
export async function populatedPatient(h: PrivacyHarness, email: string) {
  const person = await personWithTotp(h, email);
  const profile = await person.device.call('PUT', '/v1/accounts/me/profile', {
    fields: { displayName: 'Erin Example', dateOfBirth: '1980-02-03', emergencyContact: 'Sam, +15550100' },
  });
  expect(profile.statusCode).toBe(200);
  const clinicianId = await createAccount(h.app, ['clinician']);
  await insertGrant(h.app, { patientId: person.accountId, granteeId: clinicianId, scope: 'write' });
  await addEntryAs(await signedInDevice(h.app, clinicianId), person.accountId, 'allergic to penicillin');
  const other = new TestDevice(h.app);
  h.clock.advance(30_000);
  const first = await other.signIn(email, PASSWORD);
  const challenge = first.json<{ challenge?: { token: string } }>().challenge;
  const signedIn = await other.send({
    method: 'POST',
    url: '/v1/sessions/mfa',
    payload: { challenge: challenge?.token, method: 'totp', code: authenticatorCode(person.secret, h.clock.now()) },
  });
  expect(signedIn.statusCode).toBe(201);
  other.tokens = signedIn.json();
  return { person, other, clinicianId };
}
