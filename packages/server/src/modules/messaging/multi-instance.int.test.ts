/**
 * Messaging across two instances sharing PostgreSQL and Redis, as a production deployment runs
 * them: a device's event stream is held open by instance B while the message is sent through
 * instance A, and the event reaches B's stream live, through the Redis doorbell (the poll is set
 * to ten minutes, so nothing else can explain it). When A cannot publish its wake-up (its Redis
 * user may not PUBLISH; the shared Redis server keeps running for everyone else), nothing is lost:
 * B's stream finds the message at its next poll.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { buildApp, type App } from '../../app.ts';
import type { Config } from '../../config/schema.ts';
import { generateKeyRingFile, keyRingFromFile, type KeyRing } from '../../platform/crypto/index.ts';
import { createLogger } from '../../platform/logging/logger.ts';
import { captureLines, testConfig } from '../../test-support/build-test-app.ts';
import { postgresRunUrl, redisRunUrl } from '../../test-support/databases.ts';
import { TestDevice } from '../../test-support/dpop-client.ts';
import { createAccount, insertGrant } from '../../test-support/records-world.ts';
import { streamOf, type EventStreamReader } from './test-support/event-stream-client.ts';
import { MlsDevice, recordingKeyLog } from './test-support/mls-world.ts';

const postgres = postgresRunUrl();
const redis = redisRunUrl();

interface Deployment {
  readonly a: App;
  readonly b: App;
  /** B's address: the event streams are read from it over a real socket. */
  readonly bUrl: string;
  /** What instance A logged. */
  readonly aLog: string[];
}

/** Two instances of one deployment: one database, one key ring, Redis for each as given. */
async function deployment(options: { pollSeconds: number; redisUrlOfA?: string }): Promise<Deployment> {
  const base = testConfig({
    dialect: 'postgres',
    logLines: [],
    config: { messaging: { events: { pollSeconds: options.pollSeconds, heartbeatSeconds: 20 } } },
  });
  const shared: Config = { ...base, instances: 2, redis: { url: redis ?? '' } };
  const keyRing: KeyRing = keyRingFromFile(generateKeyRingFile({ development: false }), `test-${randomBytes(4).toString('hex')}`);
  const aLog: string[] = [];
  const configOfA: Config = { ...shared, redis: { url: options.redisUrlOfA ?? shared.redis.url ?? '' } };
  const a = await buildApp(configOfA, { keyRing, keyLog: recordingKeyLog(), logger: createLogger(configOfA, captureLines(aLog)) });
  const b = await buildApp(shared, {
    keyRing,
    keyLog: recordingKeyLog(),
    logger: createLogger({ ...shared, log: { ...shared.log, level: 'silent' } }),
  });
  const bUrl = await b.listen({ port: 0, host: '127.0.0.1' });
  return { a, b, bUrl, aLog };
}

/** On A: a clinician starts a conversation with a patient who granted access; the patient's Welcome waits. */
async function conversation(a: App) {
  const patientId = await createAccount(a, ['patient']);
  const clinicianId = await createAccount(a, ['clinician']);
  await insertGrant(a, { patientId, granteeId: clinicianId, scope: 'read' });
  const clinician = await MlsDevice.registered(a, clinicianId);
  const patient = await MlsDevice.registered(a, patientId);
  await patient.uploadKeyPackages(1, true);
  const groupId = await clinician.createGroup();
  const adds = (await clinician.claim(patientId)).json<{ keyPackages: { deviceId: string; keyPackage: string }[] }>().keyPackages;
  expect((await clinician.commit(groupId, await clinician.buildCommit(groupId, adds))).statusCode).toBe(201);
  return { clinician, patient, groupId };
}

/** The same device (same DPoP key, same tokens) talking to instance `app`. */
function sameDeviceAt(app: App, device: MlsDevice): TestDevice {
  const there = new TestDevice(app, device.session.key);
  there.tokens = device.session.tokens;
  there.nonce = device.session.nonce;
  return there;
}

async function close(deployment: Deployment | undefined, streams: EventStreamReader[]): Promise<void> {
  await Promise.all(streams.splice(0).map((stream) => stream.close()));
  await deployment?.b.close();
  await deployment?.a.close();
}

describe.runIf(postgres !== null && redis !== null)('messaging across two instances sharing PostgreSQL and Redis', () => {
  describe('with the Redis doorbell working', () => {
    let deployed: Deployment | undefined;
    const streams: EventStreamReader[] = [];
    beforeAll(async () => {
      // Ten minutes between polls: a delivery within seconds can only come from the wake-up.
      deployed = await deployment({ pollSeconds: 600 });
    });
    afterAll(() => close(deployed, streams));

    it('a message sent through A reaches the device’s stream held open by B, live', async () => {
      const { a, b, bUrl } = deployed as Deployment;
      const { clinician, patient, groupId } = await conversation(a);
      const events = await streamOf(bUrl, sameDeviceAt(b, patient));
      streams.push(events);
      await events.waitForEvents(1);

      const sent = await clinician.send(groupId, 'through instance A');
      expect(sent.statusCode, sent.body).toBe(201);
      const { seq } = sent.json<{ seq: number }>();
      const [, live] = await events.waitForEvents(2, 5000);
      expect(live?.id).toBe(String(seq));
      expect(JSON.parse(live?.data ?? '')).toEqual({ seq, groupId, kind: 'application' });

      // A commit through A wakes B's stream too.
      expect((await clinician.commit(groupId, await clinician.buildCommit(groupId))).statusCode).toBe(201);
      const [, , commit] = await events.waitForEvents(3, 5000);
      expect(JSON.parse(commit?.data ?? '')).toMatchObject({ groupId, kind: 'commit' });
    });
  });

  describe('with A unable to publish its wake-up', () => {
    let deployed: Deployment | undefined;
    const streams: EventStreamReader[] = [];
    let admin: Redis | undefined;
    // A Redis user allowed everything but PUBLISH: A's replay cache and counters work, its doorbell cannot ring.
    const user = `portcullis-test-nopub-${randomBytes(4).toString('hex')}`;
    const password = randomBytes(16).toString('hex');

    beforeAll(async () => {
      admin = new Redis(redis ?? '');
      await admin.call('ACL', 'SETUSER', user, 'reset', 'on', `>${password}`, '~*', '&*', '+@all', '-publish');
      const urlOfA = new URL(redis ?? '');
      urlOfA.username = user;
      urlOfA.password = password;
      deployed = await deployment({ pollSeconds: 1, redisUrlOfA: urlOfA.toString() });
    });
    afterAll(async () => {
      await close(deployed, streams);
      await admin?.call('ACL', 'DELUSER', user);
      await admin?.quit();
    });

    it('the message still reaches B’s stream, by the poll', async () => {
      const { a, b, bUrl, aLog } = deployed as Deployment;
      const { clinician, patient, groupId } = await conversation(a);
      const events = await streamOf(bUrl, sameDeviceAt(b, patient));
      streams.push(events);
      await events.waitForEvents(1);

      const sent = await clinician.send(groupId, 'the wake-up is lost');
      expect(sent.statusCode, sent.body).toBe(201);
      const { seq } = sent.json<{ seq: number }>();
      // A could not ring (and said so), yet the stream finds the message within a poll or two.
      expect(aLog.some((line) => line.includes('messaging wake-up not delivered'))).toBe(true);
      const [, polled] = await events.waitForEvents(2, 5000);
      expect(polled?.id).toBe(String(seq));
      expect(JSON.parse(polled?.data ?? '')).toEqual({ seq, groupId, kind: 'application' });
    });
  });
});
