/**
 * Two server instances sharing PostgreSQL and Redis, as a production deployment runs them:
 * a session revoked through one instance is refused by the other at once (well within the 1 s
 * the specification allows), and a DPoP proof used at one instance cannot be replayed at the
 * other (the replay cache lives in Redis). Nonces from one instance are accepted by the other
 * (they derive from the shared key ring). Password guesses spread over the instances count
 * against one limit (the counters live in Redis too). A new device's confirmation started on one
 * instance is finished on the other, and the device is known to both (the shared database).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { buildApp, type App } from '../../app.ts';
import { testConfig } from '../../test-support/build-test-app.ts';
import { postgresRunUrl, redisRunUrl } from '../../test-support/databases.ts';
import { TestDevice, createVerifiedAccount, deviceChallengeOf } from '../../test-support/dpop-client.ts';
import { generateKeyRingFile, keyRingFromFile } from '../../platform/crypto/index.ts';
import { createLogger } from '../../platform/logging/logger.ts';

const postgres = postgresRunUrl();
const redis = redisRunUrl();

describe.runIf(postgres !== null && redis !== null)('two instances sharing PostgreSQL and Redis', () => {
  let a: App;
  let b: App;
  beforeAll(async () => {
    const base = testConfig({ dialect: 'postgres' });
    const config = { ...base, instances: 2, redis: { url: redis ?? '' } };
    // One key ring for the deployment, as an operator supplies it (test fixture keys).
    const keyRing = keyRingFromFile(generateKeyRingFile({ development: false }), `test-${randomBytes(4).toString('hex')}`);
    a = await buildApp(config, { keyRing, logger: createLogger(config) });
    b = await buildApp(config, { keyRing, logger: createLogger(config) });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('a session revoked on one instance is refused by the other immediately', async () => {
    const onA = new TestDevice(a);
    const { email, password } = await createVerifiedAccount(a, onA, 'two@example.test');
    await onA.signIn(email, password);
    const onB = new TestDevice(b, onA.key);
    onB.tokens = onA.tokens;
    onB.nonce = onA.nonce;
    expect((await onB.call('GET', '/v1/accounts/me')).statusCode).toBe(200);
    expect((await onA.call('DELETE', '/v1/sessions/current')).statusCode).toBe(200);
    const started = Date.now();
    const refused = await onB.call('GET', '/v1/accounts/me');
    expect(refused.statusCode).toBe(401);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('a proof used at one instance cannot be replayed at the other', async () => {
    const device = new TestDevice(a);
    const { email, password } = await createVerifiedAccount(a, device, 'replay2@example.test');
    await device.signIn(email, password);
    const token = device.tokens?.accessToken ?? '';
    const headers = { authorization: `DPoP ${token}`, dpop: device.proof('GET', '/v1/accounts/me', token) };
    expect((await a.inject({ method: 'GET', url: '/v1/accounts/me', headers })).statusCode).toBe(200);
    const replay = await b.inject({ method: 'GET', url: '/v1/accounts/me', headers });
    expect(replay.statusCode).toBe(401);
    expect(replay.json()).toMatchObject({ code: 'AUTH_DPOP_INVALID' });
  });

  it('a new device confirms across instances, and is known to both afterwards (V6.3.1)', async () => {
    const phone = new TestDevice(a);
    const { email, password } = await createVerifiedAccount(a, phone, 'confirm-two@example.test');
    const onA = new TestDevice(a);
    const first = await onA.signIn(email, password, { confirmNewDevice: false });
    const challenge = deviceChallengeOf(first);
    expect(challenge).toBeDefined();
    // The same device key, now talking to the other instance: it asks for the code and answers there.
    const onB = new TestDevice(b, onA.key);
    const confirmed = await onB.confirmDevice(email, challenge ?? '');
    expect(confirmed.statusCode).toBe(201);
    expect((await onA.signIn(email, password, { confirmNewDevice: false })).statusCode).toBe(201);
    // Another key is still a stranger on either instance.
    expect(deviceChallengeOf(await new TestDevice(b).signIn(email, password, { confirmNewDevice: false }))).toBeDefined();
  });

  it('wrong passwords sent to either instance count against one limit (V6.3.1)', async () => {
    const onA = new TestDevice(a);
    const onB = new TestDevice(b);
    const { email } = await createVerifiedAccount(a, onA, 'spread@example.test');
    const statuses = [];
    // The default ladder allows 5 wrong passwords a minute for one address from one network.
    for (let i = 0; i < 6; i += 1) statuses.push((await (i % 2 === 0 ? onA : onB).signIn(email, 'a wrong but long passphrase')).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });
});
