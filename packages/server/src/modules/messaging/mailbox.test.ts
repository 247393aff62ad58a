/**
 * A device's mailbox through the API, on both databases, with real MLS objects: a patient's
 * device receives its Welcome, the commits and the application messages of a conversation in
 * `seq` order and can process them in that order; `after` pages through them; an acknowledgement
 * deletes only the acknowledging device's entries up to the position given, and a message stored
 * once for two devices leaves the database only when both have it, or when a device leaves
 * with what only it was waiting for; entries older than
 * `messaging.mailbox.retentionDays` are neither returned nor kept; malformed positions and page
 * sizes are refused.
 */
import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MailboxEntry } from '@portcullis/protocol';
import { buildApp, type App } from '../../app.ts';
import { manualClock } from '../../platform/clock/clock.ts';
import { createLogger } from '../../platform/logging/logger.ts';
import { createMemoryDoorbell } from '../../platform/realtime/index.ts';
import { testConfig } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { createAccount, insertGrant } from '../../test-support/records-world.ts';
import type { MessagingDeps } from './deps.ts';
import { sweepExpired } from './mailbox.ts';
import { MlsDevice, recordingKeyLog } from './test-support/mls-world.ts';

const DAY_MS = 86_400_000;

describe.each(testDatabases())('mailbox on $dialect', ({ dialect }) => {
  let app: App;
  let clock: ReturnType<typeof manualClock>;
  let deps: MessagingDeps;

  beforeEach(async () => {
    clock = manualClock(Date.UTC(2026, 2, 2, 9));
    const keyLog = recordingKeyLog();
    const config = testConfig({ dialect, config: { messaging: { mailbox: { retentionDays: 1 } } } });
    app = await buildApp(config, { logger: createLogger(config), clock, keyLog });
    app.addHook('onClose', () => rmSync(config.dataDir, { recursive: true, force: true }));
    // The messaging module's view of the same database and clock, for the sweep run on its own.
    deps = { db: app.portcullis.database.db, dialect, clock, keyLog, config: config.messaging, doorbell: createMemoryDoorbell() };
  });
  afterEach(() => app.close());

  async function fetchMailbox(device: MlsDevice, query = ''): Promise<MailboxEntry[]> {
    const response = await device.call('GET', `/v1/messaging/mailbox${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ entries: MailboxEntry[] }>().entries;
  }

  async function ack(device: MlsDevice, upTo: number): Promise<number> {
    const response = await device.call('POST', '/v1/messaging/mailbox/ack', { upTo });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<{ deleted: number }>().deleted;
  }

  async function storedMessages(): Promise<number[]> {
    const rows = await app.portcullis.database.db.selectFrom('messaging_messages').select('seq').orderBy('seq').execute();
    return rows.map((row) => row.seq);
  }

  async function storedEntries(device: MlsDevice): Promise<number[]> {
    const rows = await app.portcullis.database.db
      .selectFrom('messaging_mailbox')
      .select('seq')
      .where('device_id', '=', device.deviceId)
      .orderBy('seq')
      .execute();
    return rows.map((row) => row.seq);
  }

  /**
   * A clinician starts a conversation with every device of a patient who granted them access;
   * the patient's devices have not fetched anything yet. Returns the KeyPackage each was added with.
   */
  async function conversation(patientDevices = 1) {
    const patientId = await createAccount(app, ['patient']);
    const clinicianId = await createAccount(app, ['clinician']);
    await insertGrant(app, { patientId, granteeId: clinicianId, scope: 'read' });
    const clinician = await MlsDevice.registered(app, clinicianId);
    const patients: MlsDevice[] = [];
    for (let i = 0; i < patientDevices; i++) {
      const device = await MlsDevice.registered(app, patientId);
      await device.uploadKeyPackages(1, true);
      patients.push(device);
    }
    const groupId = await clinician.createGroup();
    const claim = await clinician.claim(patientId);
    expect(claim.statusCode, claim.body).toBe(200);
    const adds = claim.json<{ keyPackages: { deviceId: string; keyPackage: string }[] }>().keyPackages;
    expect(adds).toHaveLength(patientDevices);
    const added = await clinician.commit(groupId, await clinician.buildCommit(groupId, adds));
    expect(added.statusCode, added.body).toBe(201);
    const keyPackageOf = (device: MlsDevice): string => adds.find((add) => add.deviceId === device.deviceId)?.keyPackage ?? '';
    return { clinician, patients, groupId, keyPackageOf };
  }

  /** The clinician sends `text`; returns its seq. */
  async function send(clinician: MlsDevice, groupId: string, text: string): Promise<number> {
    const response = await clinician.send(groupId, text);
    expect(response.statusCode, response.body).toBe(201);
    return response.json<{ seq: number }>().seq;
  }

  it('delivers the Welcome, then commits and application messages in seq order, and they process in that order', async () => {
    const { clinician, patients, groupId, keyPackageOf } = await conversation();
    const [patient] = patients as [MlsDevice];
    await send(clinician, groupId, 'first, at epoch 1');
    expect((await clinician.commit(groupId, await clinician.buildCommit(groupId))).statusCode).toBe(201);
    await send(clinician, groupId, 'second, at epoch 2');
    expect((await clinician.commit(groupId, await clinician.buildCommit(groupId))).statusCode).toBe(201);
    await send(clinician, groupId, 'third, at epoch 3');

    const entries = await fetchMailbox(patient);
    expect(entries.map((entry) => entry.kind)).toEqual(['welcome', 'application', 'commit', 'application', 'commit', 'application']);
    const seqs = entries.map((entry) => entry.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    for (const entry of entries) {
      expect(entry.groupId).toBe(groupId);
      expect(Date.parse(entry.sentAt)).toBe(clock.now());
    }

    // Processed in the order received, every message opens: the order is the group's order.
    const [welcome, ...rest] = entries as [MailboxEntry, ...MailboxEntry[]];
    await patient.join(groupId, welcome.payload, keyPackageOf(patient));
    const texts: string[] = [];
    for (const entry of rest) {
      const text = await patient.open(groupId, entry.payload);
      if (text !== undefined) texts.push(text);
    }
    expect(texts).toEqual(['first, at epoch 1', 'second, at epoch 2', 'third, at epoch 3']);
    // The sender's own mailbox stays empty: nothing goes back to the device that sent it.
    expect(await fetchMailbox(clinician)).toEqual([]);
  });

  it('`after` pages through the entries, and `limit` bounds each page', async () => {
    const { clinician, patients, groupId } = await conversation();
    const [patient] = patients as [MlsDevice];
    for (let i = 0; i < 6; i++) await send(clinician, groupId, `message ${i}`);
    const all = await fetchMailbox(patient);
    expect(all).toHaveLength(7);

    const paged: MailboxEntry[] = [];
    let after = 0;
    for (;;) {
      const page = await fetchMailbox(patient, `?after=${after}&limit=3`);
      expect(page.length).toBeLessThanOrEqual(3);
      if (page.length === 0) break;
      paged.push(...page);
      after = page[page.length - 1]?.seq ?? after;
    }
    expect(paged).toEqual(all);
    // `after` is a position, not an index: after the fourth entry come the last three.
    expect(await fetchMailbox(patient, `?after=${all[3]?.seq}`)).toEqual(all.slice(4));
    expect(await fetchMailbox(patient, '?limit=1')).toEqual(all.slice(0, 1));
    // Fetching deletes nothing.
    expect(await fetchMailbox(patient)).toEqual(all);
  });

  it('an acknowledgement deletes only that device’s entries up to `upTo`; a message shared by two devices goes when both have it', async () => {
    const { clinician, patients, groupId } = await conversation(2);
    const [phone, tablet] = patients as [MlsDevice, MlsDevice];
    const first = await send(clinician, groupId, 'one');
    const second = await send(clinician, groupId, 'two');
    const third = await send(clinician, groupId, 'three');
    const phoneEntries = (await fetchMailbox(phone)).map((entry) => entry.seq);
    const tabletEntries = (await fetchMailbox(tablet)).map((entry) => entry.seq);
    const welcome = phoneEntries[0] ?? -1;
    // One Welcome for both devices, each message stored once for both.
    expect(phoneEntries).toEqual([welcome, first, second, third]);
    expect(tabletEntries).toEqual(phoneEntries);
    expect(await storedMessages()).toEqual([welcome, first, second, third]);

    expect(await ack(phone, second)).toBe(3);
    expect((await fetchMailbox(phone)).map((entry) => entry.seq)).toEqual([third]);
    // The other device still has everything, so every message is still stored.
    expect((await fetchMailbox(tablet)).map((entry) => entry.seq)).toEqual(tabletEntries);
    expect(await storedMessages()).toEqual([welcome, first, second, third]);
    // Acknowledging again, or below what is left, deletes nothing.
    expect(await ack(phone, second)).toBe(0);

    expect(await ack(tablet, first)).toBe(2);
    // Both devices have the Welcome and the first message: they are gone; the rest waits for the tablet or the phone.
    expect(await storedMessages()).toEqual([second, third]);
    expect(await ack(tablet, third)).toBe(2);
    expect(await storedMessages()).toEqual([third]);
    expect(await storedEntries(tablet)).toEqual([]);
    expect(await storedEntries(phone)).toEqual([third]);
    expect(await ack(phone, third)).toBe(1);
    expect(await storedMessages()).toEqual([]);
    // A position beyond everything is fine and deletes nothing more.
    expect(await ack(phone, Number.MAX_SAFE_INTEGER)).toBe(0);
  });

  it('an acknowledgement by one device never touches another device’s entries, even with a larger upTo', async () => {
    const { clinician, patients, groupId } = await conversation();
    const [patient] = patients as [MlsDevice];
    const seq = await send(clinician, groupId, 'for the patient only');
    // The clinician has nothing of its own to acknowledge; its acknowledgement of everything deletes nothing.
    expect(await ack(clinician, Number.MAX_SAFE_INTEGER)).toBe(0);
    expect((await fetchMailbox(patient)).map((entry) => entry.seq)).toContain(seq);
  });

  it('a device that leaves (signed out, or its session revoked) takes the messages only it was waiting for with it', async () => {
    const { clinician, patients, groupId } = await conversation(2);
    const [phone, tablet] = patients as [MlsDevice, MlsDevice];
    const shared = await send(clinician, groupId, 'for both devices');
    const welcome = (await storedEntries(phone))[0] ?? -1;
    // The tablet leaves the conversation; the next message waits for the phone alone.
    expect((await clinician.commit(groupId, await clinician.buildRemoval(groupId, [tablet.deviceId]))).statusCode).toBe(201);
    const phoneOnly = await send(clinician, groupId, 'for the phone only');
    expect(await storedMessages()).toEqual(expect.arrayContaining([welcome, shared, phoneOnly]));

    expect((await phone.call('DELETE', '/v1/messaging/devices/current')).statusCode).toBe(204);
    // What the tablet still waits for stays; what only the phone waited for is gone.
    expect(await storedEntries(phone)).toEqual([]);
    // (The tablet's removal commit went to the phone alone, and is gone too.)
    expect(await storedMessages()).toEqual([welcome, shared]);
    expect((await tablet.session.call('DELETE', '/v1/sessions/current')).statusCode).toBe(200);
    expect(await storedMessages()).toEqual([]);
  });

  /** Moves the clock past the retention; both devices refresh their access tokens (their sessions live on). */
  async function pastRetention(devices: readonly MlsDevice[]): Promise<void> {
    clock.advance(DAY_MS + 60_000);
    for (const device of devices) expect((await device.session.refresh()).statusCode).toBe(200);
  }

  it('entries older than the retention are not returned, and a forced sweep deletes them', async () => {
    const { clinician, patients, groupId } = await conversation();
    const [patient] = patients as [MlsDevice];
    const old = await send(clinician, groupId, 'sent yesterday');
    expect(await fetchMailbox(patient)).toHaveLength(2);
    await pastRetention([clinician, patient]);
    const fresh = await send(clinician, groupId, 'sent today');

    const entries = await fetchMailbox(patient);
    expect(entries.map((entry) => entry.seq)).toEqual([fresh]);
    expect(await fetchMailbox(patient, `?after=0&limit=500`)).toEqual(entries);
    // Still stored until a sweep runs…
    expect(await storedMessages()).toContain(old);
    expect(await sweepExpired(deps, { force: true })).toBe(2);
    // …which deletes the expired messages and their mailbox entries, and nothing newer.
    expect(await storedMessages()).toEqual([fresh]);
    expect(await storedEntries(patient)).toEqual([fresh]);
    expect(await sweepExpired(deps, { force: true })).toBe(0);
  });

  it('an acknowledgement also sweeps what is past the retention, for every device', async () => {
    const { clinician, patients, groupId } = await conversation(2);
    const [phone, tablet] = patients as [MlsDevice, MlsDevice];
    const old = await send(clinician, groupId, 'sent yesterday');
    await pastRetention([clinician, phone, tablet]);
    const fresh = await send(clinician, groupId, 'sent today');
    expect((await fetchMailbox(tablet)).map((entry) => entry.seq)).toEqual([fresh]);
    expect(await storedEntries(tablet)).toContain(old);

    // The phone acknowledges nothing of its own, yet the expired entries of both devices go.
    expect(await ack(phone, 0)).toBe(0);
    expect(await storedMessages()).toEqual([fresh]);
    expect(await storedEntries(tablet)).toEqual([fresh]);
    expect(await storedEntries(phone)).toEqual([fresh]);
  });

  it.each(['after=-1', 'after=1e3', 'after=0x10', 'after=', 'limit=0', 'limit=501', 'limit=-5', 'limit=1.5', 'other=1'])(
    'refuses ?%s with 400 problem+json',
    async (query) => {
      const { patients } = await conversation();
      const [patient] = patients as [MlsDevice];
      const response = await patient.call('GET', `/v1/messaging/mailbox?${query}`);
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ code: 'REQUEST_INVALID' });
    },
  );

  it('V7.4.1: a device whose session ran out loses its credential on the sweep, with a key-log `remove` entry', async () => {
    const device = await MlsDevice.registered(app, await createAccount(app, ['patient']));
    const keyLog = deps.keyLog as ReturnType<typeof recordingKeyLog>;
    await sweepExpired(deps, { force: true });
    expect(keyLog.entries.filter((entry) => entry.op === 'remove')).toEqual([]);
    clock.advance(31 * DAY_MS); // past the session's absolute lifetime
    await sweepExpired(deps, { force: true });
    expect(keyLog.entries.filter((entry) => entry.op === 'remove').map((entry) => entry.deviceId)).toEqual([device.deviceId]);
    const row = await app.portcullis.database.db
      .selectFrom('messaging_devices')
      .select(['removed_at', 'removed_reason'])
      .where('id', '=', device.deviceId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ removed_at: clock.now(), removed_reason: 'session_expired' });
  });

  it('refuses a malformed acknowledgement with 400 problem+json', async () => {
    const { patients } = await conversation();
    const [patient] = patients as [MlsDevice];
    for (const body of [{}, { upTo: -1 }, { upTo: 1.5 }, { upTo: '3' }, { upTo: 3, more: true }]) {
      const response = await patient.call('POST', '/v1/messaging/mailbox/ack', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });

  it('a session without a messaging device has no mailbox', async () => {
    const device = await MlsDevice.signIn(app, await createAccount(app, ['patient']));
    const fetched = await device.call('GET', '/v1/messaging/mailbox');
    expect(fetched.statusCode).toBe(404);
    expect(fetched.json()).toMatchObject({ code: 'MESSAGING_DEVICE_NOT_FOUND' });
    const acked = await device.call('POST', '/v1/messaging/mailbox/ack', { upTo: 1 });
    expect(acked.json()).toMatchObject({ code: 'MESSAGING_DEVICE_NOT_FOUND' });
  });
});
