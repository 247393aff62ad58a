/**
 * Invariants of the credential-stuffing defences (SPEC "Defences against credential stuffing and
 * abuse"; ASVS V6.3.1 brute force and credential stuffing, V6.3.5 the owner is told, V2.4.1
 * anti-automation), driven through the real sign-in route with an Argon2id seam that counts real
 * computations:
 * - a refused attempt costs no Argon2id work and says when to retry;
 * - however many guesses arrive at once, no more passwords are checked than the limit allows;
 * - the answers are the same whether or not the address has an account;
 * - a paused password never locks the person out: passkeys and reset work, a reset ends the pause.
 */
import { outboxMessages } from '../../test-support/outbox.ts';
import { afterEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import type { App } from '../../app.ts';
import type { ConfigOverrides } from '../../config/schema.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { createCountingHasher, type CountingHasher } from '../../test-support/counting-hasher.ts';
import { TestDevice, codeIn, createVerifiedAccount, waitForMail } from '../../test-support/dpop-client.ts';
import { auditCount } from '../../test-support/phone-harness.ts';
import { SoftwareAuthenticator, registerPasskey, signInWithPasskey } from '../../test-support/software-authenticator.ts';

const WRONG = 'a wrong but long passphrase';
const NEW_PASSWORD = 'a completely new passphrase after reset';

/** A network address per test case: limits count one IPv4 address (or IPv6 /64) as one network. */
const NETWORK_A = '198.51.100.7';
const NETWORK_B = '203.0.113.9';
const NETWORK_C = '192.0.2.44';

let app: App | undefined;
let argon2: CountingHasher;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function start(defense: ConfigOverrides['defense']): Promise<App> {
  argon2 = await createCountingHasher();
  app = await buildTestApp({ passwordHasher: argon2.passwordHasher, config: { defense } });
  return app;
}

function deviceOn(instance: App, network: string): TestDevice {
  const device = new TestDevice(instance);
  device.remoteAddress = network;
  return device;
}

/** Status, code and the body without its request id: what a caller can compare between answers. */
function answer(response: LightMyRequestResponse): { status: number; body: Record<string, unknown> } {
  const body = response.json<Record<string, unknown>>();
  delete body['requestId'];
  return { status: response.statusCode, body };
}

/** A device whose next request needs no nonce round trip, so every call below is one request. */
async function primed(device: TestDevice): Promise<TestDevice> {
  await device.signIn('nobody@example.test', WRONG);
  return device;
}

describe('password attempts per address and network: progressive delays (V6.3.1)', () => {
  const ladder = { passwordFailures: { perAccountAndNetwork: [{ max: 3, windowSeconds: 60 }] } };

  it('refuses the attempt after the limit with 429 and Retry-After, and checks no password for it', async () => {
    const instance = await start(ladder);
    const device = deviceOn(instance, NETWORK_A);
    const { email } = await createVerifiedAccount(instance, device, 'ladder@example.test');
    for (let i = 0; i < 3; i += 1) expect((await device.signIn(email, WRONG)).statusCode).toBe(401);
    const before = argon2.computations();
    const refused = await device.signIn(email, WRONG);
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ code: 'AUTH_PASSWORD_THROTTLED' });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(argon2.computations()).toBe(before);
    // Even the right password waits: the pause is for the password factor, not for wrong guesses only.
    expect((await device.signIn(email, 'correct horse battery staple')).statusCode).toBe(429);
  });

  it('answers an unknown address exactly as it answers an account, refusal included (V6.3.8)', async () => {
    const instance = await start(ladder);
    const signUpDevice = deviceOn(instance, NETWORK_C);
    const { email } = await createVerifiedAccount(instance, signUpDevice, 'known@example.test');
    const known = await primed(deviceOn(instance, NETWORK_A));
    const unknown = await primed(deviceOn(instance, NETWORK_B));
    const knownAnswers = [];
    const unknownAnswers = [];
    for (let i = 0; i < 4; i += 1) {
      knownAnswers.push(answer(await known.signIn(email, WRONG)));
      unknownAnswers.push(answer(await unknown.signIn('unknown@example.test', WRONG)));
    }
    expect(knownAnswers).toEqual(unknownAnswers);
    expect(knownAnswers.map((a) => a.status)).toEqual([401, 401, 401, 429]);
  });

  it('checks no more passwords than the limit when 20 guesses arrive at once', async () => {
    const instance = await start(ladder);
    const device = deviceOn(instance, NETWORK_A);
    const { email } = await createVerifiedAccount(instance, device, 'burst@example.test');
    await primed(device);
    const before = argon2.computations();
    const answers = await Promise.all(Array.from({ length: 20 }, () => device.signIn(email, WRONG)));
    const statuses = answers.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(17);
    expect(argon2.computations() - before).toBe(3);
  });

  it('a correct password clears the count of wrong ones from that network', async () => {
    const instance = await start(ladder);
    const device = deviceOn(instance, NETWORK_A);
    const { email, password } = await createVerifiedAccount(instance, device, 'typo@example.test');
    expect((await device.signIn(email, WRONG)).statusCode).toBe(401);
    expect((await device.signIn(email, WRONG)).statusCode).toBe(401);
    expect((await device.signIn(email, password)).statusCode).toBe(201);
    for (let i = 0; i < 3; i += 1) expect((await device.signIn(email, WRONG)).statusCode).toBe(401);
    expect((await device.signIn(email, WRONG)).statusCode).toBe(429);
  });

  it('waits longer at each step of the ladder', async () => {
    const instance = await start({
      passwordFailures: {
        perAccountAndNetwork: [
          { max: 2, windowSeconds: 1 },
          { max: 4, windowSeconds: 600 },
        ],
      },
    });
    const device = deviceOn(instance, NETWORK_A);
    const { email } = await createVerifiedAccount(instance, device, 'steps@example.test');
    await device.signIn(email, WRONG);
    await device.signIn(email, WRONG);
    const first = await device.signIn(email, WRONG);
    expect(first.statusCode).toBe(429);
    expect(Number(first.headers['retry-after'])).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    // The first window is over; the refused attempt did not count against the second step.
    expect((await device.signIn(email, WRONG)).statusCode).toBe(401);
    expect((await device.signIn(email, WRONG)).statusCode).toBe(401);
    const second = await device.signIn(email, WRONG);
    expect(second.statusCode).toBe(429);
    expect(Number(second.headers['retry-after'])).toBeGreaterThan(500);
  });
});

describe('password attempts per address from anywhere: the owner keeps a way in (V6.3.1, V6.3.5)', () => {
  const perAccount = {
    passwordFailures: { perAccountAndNetwork: [{ max: 50, windowSeconds: 60 }], perAccount: { max: 4, windowSeconds: 3600 } },
  };

  it('pauses the password after guesses from several networks, tells the owner once, and audits it once', async () => {
    const instance = await start(perAccount);
    const owner = deviceOn(instance, NETWORK_C);
    const { email } = await createVerifiedAccount(instance, owner, 'target@example.test');
    for (const network of [NETWORK_A, NETWORK_A, NETWORK_B, NETWORK_B]) {
      expect((await deviceOn(instance, network).signIn(email, WRONG)).statusCode).toBe(401);
    }
    for (const network of [NETWORK_A, NETWORK_B, NETWORK_C]) {
      const refused = await deviceOn(instance, network).signIn(email, WRONG);
      expect(refused.statusCode).toBe(429);
      expect(refused.json()).toMatchObject({ code: 'AUTH_PASSWORD_THROTTLED' });
    }
    const mail = await waitForMail(instance, email, { subject: /password sign-in .* is paused/i });
    expect(mail.body).toMatch(/passkeys/i);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const notices = (await outboxMessages(instance, { to: email })).filter((message) => message.subject.includes('paused'));
    expect(notices).toHaveLength(1);
    expect(await auditCount(instance, 'session.password_throttled')).toBe(1);
  });

  it('while the password is paused, a passkey signs in and a reset works and ends the pause', async () => {
    const instance = await start(perAccount);
    const owner = deviceOn(instance, NETWORK_C);
    const { email, password } = await createVerifiedAccount(instance, owner, 'keeps-access@example.test');
    expect((await owner.signIn(email, password)).statusCode).toBe(201);
    const authenticator = new SoftwareAuthenticator();
    expect((await registerPasskey(owner, authenticator)).statusCode).toBe(201);
    for (let i = 0; i < 5; i += 1) await deviceOn(instance, NETWORK_A).signIn(email, WRONG);
    expect((await deviceOn(instance, NETWORK_C).signIn(email, password)).statusCode).toBe(429);

    expect((await signInWithPasskey(deviceOn(instance, NETWORK_C), authenticator)).statusCode).toBe(201);

    const resetter = deviceOn(instance, NETWORK_C);
    expect((await resetter.send({ method: 'POST', url: '/v1/accounts/password-reset', payload: { email } })).statusCode).toBe(202);
    const mail = await waitForMail(instance, email, { subject: /reset/i });
    const confirmed = await resetter.send({
      method: 'POST',
      url: '/v1/accounts/password-reset/confirm',
      payload: { email, code: codeIn(mail.body), newPassword: NEW_PASSWORD },
    });
    expect(confirmed.statusCode).toBe(204);
    // The pause is over: the new password passes the first factor (the passkey is then asked for).
    const after = await deviceOn(instance, NETWORK_C).signIn(email, NEW_PASSWORD);
    expect(after.json()).toMatchObject({ code: 'MFA_REQUIRED' });
  });
});

describe('password attempts per network and across the deployment (V6.3.1 credential stuffing)', () => {
  it('refuses one network walking a list of addresses, and only that network', async () => {
    const instance = await start({ passwordFailures: { perNetwork: { max: 5, windowSeconds: 3600 } } });
    const stuffer = deviceOn(instance, NETWORK_A);
    for (let i = 0; i < 5; i += 1) expect((await stuffer.signIn(`leaked${i}@example.test`, WRONG)).statusCode).toBe(401);
    const before = argon2.computations();
    expect((await stuffer.signIn('leaked5@example.test', WRONG)).statusCode).toBe(429);
    expect(argon2.computations()).toBe(before);
    expect((await deviceOn(instance, NETWORK_B).signIn('leaked5@example.test', WRONG)).statusCode).toBe(401);
  });

  it('during a wave from many networks, refuses networks that failed and lets clean ones sign in', async () => {
    const instance = await start({ passwordFailures: { global: { max: 3, windowSeconds: 60 } } });
    const person = deviceOn(instance, NETWORK_C);
    const { email, password } = await createVerifiedAccount(instance, person, 'bystander@example.test');
    const networks = ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4'];
    for (const network of networks) expect((await deviceOn(instance, network).signIn('victim@example.test', WRONG)).statusCode).toBe(401);
    expect((await deviceOn(instance, networks[0] ?? '').signIn('victim@example.test', WRONG)).statusCode).toBe(429);
    expect((await person.signIn(email, password)).statusCode).toBe(201);
  });

  it('counts IPv6 clients by their /64, so rotating addresses inside it does not help', async () => {
    const instance = await start({ passwordFailures: { perNetwork: { max: 2, windowSeconds: 3600 } } });
    expect((await deviceOn(instance, '2001:db8:1:2::a').signIn('one@example.test', WRONG)).statusCode).toBe(401);
    expect((await deviceOn(instance, '2001:db8:1:2::b').signIn('two@example.test', WRONG)).statusCode).toBe(401);
    expect((await deviceOn(instance, '2001:db8:1:2:ffff::1').signIn('three@example.test', WRONG)).statusCode).toBe(429);
    expect((await deviceOn(instance, '2001:db8:1:3::a').signIn('three@example.test', WRONG)).statusCode).toBe(401);
  });
});

describe('password change is a password check too', () => {
  it('a stolen session cannot guess the current password at leisure', async () => {
    const instance = await start({ passwordFailures: { perAccountAndNetwork: [{ max: 2, windowSeconds: 60 }] } });
    const device = deviceOn(instance, NETWORK_A);
    const { email, password } = await createVerifiedAccount(instance, device, 'change@example.test');
    expect((await device.signIn(email, password)).statusCode).toBe(201);
    const change = () => device.call('POST', '/v1/accounts/password', { currentPassword: WRONG, newPassword: NEW_PASSWORD });
    expect((await change()).statusCode).toBe(401);
    expect((await change()).statusCode).toBe(401);
    const refused = await change();
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ code: 'AUTH_PASSWORD_THROTTLED' });
  });
});
