/**
 * @module test-support/phone-harness
 *
 * Test helper, never imported by production code: builds the app with per-test configuration
 * and a clock the test moves, reads text messages from the development outbox (the SMS adapter
 * tests use a real HTTP provider instead), adds and confirms phones through the real API, and
 * signs in up to the `MFA_REQUIRED` challenge with DPoP-bound devices.
 */
import { outboxMessages } from './outbox.ts';
import { rmSync } from 'node:fs';
import type { AuthChallenge, PhoneConfirmation, PhoneEnrolment, TokenResponse } from '@portcullis/protocol';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp, type App } from '../app.ts';
import { mergeConfigSources } from '../config/load.ts';
import type { ConfigOverrides } from '../config/schema.ts';
import { manualClock } from '../platform/clock/clock.ts';
import { captureLines, testConfig } from './build-test-app.ts';
import type { TestDialect } from './databases.ts';
import { TestDevice, codeIn, createVerifiedAccount } from './dpop-client.ts';
import { createLogger } from '../platform/logging/logger.ts';

export const PASSWORD = 'correct horse battery staple';
/** Mid-step start, like the TOTP tests. */
export const START = Date.UTC(2026, 0, 1, 9, 0, 15);

export interface PhoneTestApp {
  readonly app: App;
  readonly clock: ReturnType<typeof manualClock>;
  /** Every log line, when asked for. */
  readonly logLines: string[];
}

export async function buildPhoneTestApp(
  dialect: TestDialect,
  options: { readonly config?: ConfigOverrides; readonly captureLogs?: boolean } = {},
): Promise<PhoneTestApp> {
  const logLines: string[] = [];
  // SMS codes are off by default; these tests are about them, so they switch them on (a test may switch them off again).
  const config = testConfig({
    dialect,
    config: mergeConfigSources({ mfa: { smsCodes: { enabled: true } } }, options.config),
    ...(options.captureLogs ? { logLines } : {}),
  });
  const clock = manualClock(START);
  const logger = options.captureLogs ? createLogger(config, captureLines(logLines)) : createLogger(config);
  const app = await buildApp(config, { logger, clock });
  app.addHook('onClose', () => rmSync(config.dataDir, { recursive: true, force: true }));
  return { app, clock, logLines };
}

export interface Person {
  readonly device: TestDevice;
  readonly accountId: string;
  readonly email: string;
}

/** Signs up, verifies and signs in through the API: an aal1 (password) session. */
export async function signedInPatient(app: App, email: string): Promise<Person> {
  const device = new TestDevice(app);
  await createVerifiedAccount(app, device, email, PASSWORD);
  const signIn = await device.signIn(email, PASSWORD);
  if (signIn.statusCode !== 201) throw new Error(`sign-in failed: ${signIn.body}`);
  const me = await device.call('GET', '/v1/accounts/me');
  return { device, accountId: me.json<{ id: string }>().id, email };
}

export async function setRoles(app: App, accountId: string, roles: readonly string[]): Promise<void> {
  await app.portcullis.database.db
    .updateTable('accounts')
    .set({ roles: JSON.stringify(roles) })
    .where('id', '=', accountId)
    .execute();
}

/** Text messages in the outbox to `to`, newest first. */
export async function textsTo(app: App, to: string): Promise<string[]> {
  return (await outboxMessages(app, { to, channel: 'sms' })).map((message) => message.text);
}

const TEXT_KINDS = { enrolment: /is your code to add this phone/, 'sign-in': /is your sign-in code/ } as const;

/**
 * The code in the newest text message of `kind` to `to`. (The test clock stands still, so texts
 * of different kinds can share a timestamp; the kind tells them apart.)
 */
export async function latestTextCode(app: App, to: string, kind: keyof typeof TEXT_KINDS): Promise<string> {
  const latest = (await textsTo(app, to)).find((text) => TEXT_KINDS[kind].test(text));
  if (latest === undefined) throw new Error(`no ${kind} text message to ${to}`);
  return codeIn(latest);
}

/** Emails with `subject` to `to`, newest first (sign-in codes are sent before the answer, no polling). */
export async function mailsTo(app: App, to: string, subject: RegExp): Promise<string[]> {
  const messages = await outboxMessages(app, { to, channel: 'email' });
  return messages.filter((message) => subject.test(message.subject)).map((message) => message.text);
}

/** Adds `phoneNumber` and confirms it with the texted code; returns both answers. */
export async function addPhone(
  app: App,
  person: Person,
  phoneNumber: string,
): Promise<{ enrolment: PhoneEnrolment; confirmation: PhoneConfirmation }> {
  const start = await person.device.call('POST', '/v1/mfa/phone', { phoneNumber });
  if (start.statusCode !== 201) throw new Error(`phone enrolment failed: ${start.body}`);
  const enrolment = start.json<PhoneEnrolment>();
  const code = await latestTextCode(app, phoneNumber, 'enrolment');
  const confirm = await person.device.call('POST', `/v1/mfa/phone/${enrolment.factorId}/confirm`, { code });
  if (confirm.statusCode !== 200) throw new Error(`phone confirmation failed: ${confirm.body}`);
  return { enrolment, confirmation: confirm.json<PhoneConfirmation>() };
}

/** The password step on a fresh device; returns the device and the `MFA_REQUIRED` challenge (throws on anything else). */
export async function challengeFor(app: App, email: string): Promise<{ device: TestDevice; challenge: AuthChallenge }> {
  const device = new TestDevice(app);
  const response = await device.signIn(email, PASSWORD);
  const problem = response.json<{ code?: string; challenge?: AuthChallenge }>();
  if (response.statusCode !== 401 || problem.code !== 'MFA_REQUIRED' || !problem.challenge) {
    throw new Error(`expected MFA_REQUIRED, got ${response.statusCode}: ${response.body}`);
  }
  return { device, challenge: problem.challenge };
}

export function sendCode(device: TestDevice, challenge: string, channel: 'email' | 'sms'): Promise<LightMyRequestResponse> {
  return device.send({ method: 'POST', url: '/v1/sessions/mfa/send', payload: { challenge, channel } });
}

export async function answer(device: TestDevice, challenge: string, method: string, code: string): Promise<LightMyRequestResponse> {
  const response = await device.send({ method: 'POST', url: '/v1/sessions/mfa', payload: { challenge, method, code } });
  if (response.statusCode === 201) device.tokens = response.json<TokenResponse>();
  return response;
}

/** `[status, code]` of an answer, for compact assertions. */
export function outcome(response: LightMyRequestResponse): [number, string | undefined] {
  return [response.statusCode, response.statusCode >= 400 ? response.json<{ code?: string }>().code : undefined];
}

export async function auditCount(app: App, action: string, outcomeFilter?: 'success' | 'failure'): Promise<number> {
  let query = app.portcullis.database.db.selectFrom('audit_events').select('log_index').where('action', '=', action);
  if (outcomeFilter !== undefined) query = query.where('outcome', '=', outcomeFilter);
  return (await query.execute()).length;
}
