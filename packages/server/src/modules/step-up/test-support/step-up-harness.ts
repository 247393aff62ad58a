/**
 * @module modules/step-up/test-support/step-up-harness
 *
 * Test helper, never imported by production code: the app with a clock the test moves, people
 * signed in through the real API with DPoP-bound sessions and an authenticator app enrolled
 * through the real API, codes computed independently of the code under test (otpauth), and
 * fixture routes that declare a step-up and take a body and a query string (the real step-up
 * routes today take neither).
 */
import { rmSync } from 'node:fs';
import Type from 'typebox';
import { Secret, TOTP } from 'otpauth';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { RecoveryCodes, TokenResponse, TotpConfirmation, TotpEnrolment } from '@portcullis/protocol';
import { buildApp, type App, type BuildAppOptions } from '../../../app.ts';
import type { ConfigOverrides } from '../../../config/schema.ts';
import { manualClock } from '../../../platform/clock/clock.ts';
import { createLogger } from '../../../platform/logging/logger.ts';
import type { StepUpLevel } from '../../../platform/routes/contract.ts';
import { testConfig } from '../../../test-support/build-test-app.ts';
import type { TestDialect } from '../../../test-support/databases.ts';
import { TestDevice, createVerifiedAccount } from '../../../test-support/dpop-client.ts';

export type ManualClock = ReturnType<typeof manualClock>;

export interface StepUpTestApp {
  readonly app: App;
  readonly clock: ManualClock;
}

/** Mid-step start (…:15 s), so TOTP steps never straddle a boundary by accident. */
const START = Date.UTC(2026, 0, 1, 9, 0, 15);

export const PASSWORD = 'correct horse battery staple';

export interface StepUpAppOptions {
  readonly config?: ConfigOverrides;
  readonly plugins?: readonly FastifyPluginAsync[];
  /** Another app's database, key ring and clock: two instances (or two deployments) of one server. */
  readonly sharing?: StepUpTestApp;
}

export async function buildStepUpTestApp(dialect: TestDialect, options: StepUpAppOptions = {}): Promise<StepUpTestApp> {
  const config = testConfig({ dialect, ...(options.config ? { config: options.config } : {}) });
  const clock = options.sharing?.clock ?? manualClock(START);
  const shared: Partial<BuildAppOptions> = options.sharing
    ? { database: options.sharing.app.portcullis.database, keyRing: options.sharing.app.portcullis.keyRing }
    : {};
  const app = await buildApp(config, {
    logger: createLogger(config),
    clock,
    ...shared,
    plugins: options.plugins ?? [stepUpFixtureRoutes()],
  });
  app.addHook('onClose', () => rmSync(config.dataDir, { recursive: true, force: true }));
  return { app, clock };
}

export interface Person {
  readonly device: TestDevice;
  readonly accountId: string;
  readonly email: string;
}

export interface PersonWithTotp extends Person {
  readonly secret: string;
  readonly factorId: string;
  readonly recoveryCodes: readonly string[];
}

/** Signs up, verifies and signs in with the password: an aal1 session bound to a fresh device key. */
export async function signedInPerson(app: App, email: string): Promise<Person> {
  const device = new TestDevice(app);
  await createVerifiedAccount(app, device, email, PASSWORD);
  const signIn = await device.signIn(email, PASSWORD);
  if (signIn.statusCode !== 201) throw new Error(`sign-in failed: ${signIn.body}`);
  const me = await device.call('GET', '/v1/accounts/me');
  return { device, accountId: me.json<{ id: string }>().id, email };
}

/** The code an authenticator app holding `secret` shows at `nowMs`. */
export function authenticatorCode(secret: string, nowMs: number): string {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: nowMs });
}

/** Moves to the next 30-second step (an accepted code is never accepted again) and returns its code. */
export function nextTotpCode(harness: StepUpTestApp, person: PersonWithTotp): string {
  harness.clock.advance(30_000);
  return authenticatorCode(person.secret, harness.clock.now());
}

/** A code no authenticator shows now (differs from the current one). */
export function wrongCode(harness: StepUpTestApp, person: PersonWithTotp): string {
  const right = authenticatorCode(person.secret, harness.clock.now());
  return right === '000000' ? '111111' : '000000';
}

/** Signs in with the password and enrols and confirms an authenticator app through the API (the session stays aal1). */
export async function personWithTotp(harness: StepUpTestApp, email: string): Promise<PersonWithTotp> {
  const person = await signedInPerson(harness.app, email);
  const start = await person.device.call('POST', '/v1/mfa/totp', {});
  if (start.statusCode !== 201) throw new Error(`enrolment failed: ${start.body}`);
  const enrolment = start.json<TotpEnrolment>();
  const confirm = await person.device.call('POST', `/v1/mfa/totp/${enrolment.factorId}/confirm`, {
    code: authenticatorCode(enrolment.secret, harness.clock.now()),
  });
  if (confirm.statusCode !== 200) throw new Error(`confirmation failed: ${confirm.body}`);
  const recoveryCodes = confirm.json<TotpConfirmation>().recoveryCodes as RecoveryCodes;
  return { ...person, secret: enrolment.secret, factorId: enrolment.factorId, recoveryCodes: recoveryCodes.codes };
}

/** Signs `device` in with the password and answers MFA_REQUIRED with a TOTP code: a fresh aal2 session. */
export async function signInWithTotp(harness: StepUpTestApp, person: PersonWithTotp, device: TestDevice): Promise<void> {
  const first = await device.signIn(person.email, PASSWORD);
  const challenge = first.json<{ challenge?: { token: string } }>().challenge;
  if (first.statusCode !== 401 || !challenge) throw new Error(`expected MFA_REQUIRED: ${first.body}`);
  const second = await device.send({
    method: 'POST',
    url: '/v1/sessions/mfa',
    payload: { challenge: challenge.token, method: 'totp', code: nextTotpCode(harness, person) },
  });
  if (second.statusCode !== 201) throw new Error(`second factor refused: ${second.body}`);
  device.tokens = second.json<TokenResponse>();
}

export async function auditRows(app: App, prefix = 'step_up.'): Promise<{ action: string; outcome: string; reason: string | null }[]> {
  return app.portcullis.database.db
    .selectFrom('audit_events')
    .select(['action', 'outcome', 'reason'])
    .where('action', 'like', `${prefix}%`)
    .orderBy('log_index')
    .execute();
}

export const FIXTURE_TRANSFERS = '/v1/fixture/transfers';

const Transfer = Type.Object(
  { to: Type.String({ minLength: 1, maxLength: 40 }), amount: Type.Integer({ minimum: 1 }), memo: Type.Optional(Type.String()) },
  { additionalProperties: false },
);
const TransferQuery = Type.Object(
  { dryRun: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])) },
  { additionalProperties: false },
);
const Ok = Type.Object({ ok: Type.Boolean() }, { additionalProperties: false });

/**
 * `POST` and `PUT /v1/fixture/transfers` with a JSON body and an optional `?dryRun=`: routes that
 * always need an action-bound step-up (`maxAgeSeconds: 0`) at `level`.
 */
export function stepUpFixtureRoutes(level: StepUpLevel = 'aal2'): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    const config = { auth: 'aal1', permission: 'none', audit: 'none', stepUp: { maxAgeSeconds: 0, level } } as const;
    app.post(
      FIXTURE_TRANSFERS,
      { config, schema: { body: Transfer, querystring: TransferQuery, response: { 201: Ok } } },
      (_request, reply) => reply.code(201).send({ ok: true }),
    );
    app.put(FIXTURE_TRANSFERS, { config, schema: { body: Transfer, querystring: TransferQuery, response: { 200: Ok } } }, () => ({
      ok: true,
    }));
  };
}
