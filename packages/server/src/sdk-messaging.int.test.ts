/**
 * End-to-end encrypted messaging through the SDK against the real server, on SQLite and
 * PostgreSQL, the way apps use it: a patient on two phones and a clinician they granted access
 * hold a conversation, which a second clinician the patient also granted access joins; every
 * credential is checked against the key transparency log (pinned log key, inclusion and
 * consistency proofs) before anything is encrypted to it; messages arrive live over the event
 * stream; the patient's second phone joins the existing conversation when the
 * first adds it; an attachment travels encrypted; a phone that signs out is removed and cannot
 * read what follows; support cannot use messaging at all. Then a copy of everything the server
 * stores (database file and WAL, or a dump; the data directory; every log line) is searched for
 * the texts and the attachment in every encoding: none is there.
 *
 * ASVS V11.3.3 (data encrypted end to end, the server holds no key), V14.2.4 (no sensitive data at
 * rest in clear), V8.2.2 (only permitted parties), V6.8.4 (credentials bound to the device).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryTokenStore, PortcullisClient, isApiError, isMfaRequired, type PasskeyAuthenticator } from '@portcullis/sdk';
import { KeyLogMonitor, isKeyTransparencyError, keyLogSource } from '@portcullis/sdk/key-transparency';
import {
  MemoryGroupStateStore,
  checkpointStoreIn,
  createHttpDeliveryTransport,
  createKeyLogVerifier,
  createMlsEngine,
  isMessagingError,
  startLiveDelivery,
  type DeliveryTransport,
  type E2eeEngine,
  type ReceivedMessage,
} from '@portcullis/sdk/messaging';
import { grantRecordAccess } from '@portcullis/sdk/records';
import { keyLogKey, keyLogOrigin } from './modules/key-log/index.ts';
import { noteVerifier } from './platform/signed-note/index.ts';
import type { RunningServer } from './server.ts';
import { postgresRunUrl, testDatabases } from './test-support/databases.ts';
import { codeIn, waitForMail } from './test-support/dpop-client.ts';
import { setRoles } from './test-support/phone-harness.ts';
import { findMarkers } from './test-support/plaintext-scan.ts';
import { startRealTestServer } from './test-support/real-server.ts';
import { SoftwareAuthenticator } from './test-support/software-authenticator.ts';

const PASSWORD = 'correct horse battery staple';
const device = { label: 'Phone', platform: 'ios' as const };
/** A text no other test writes, long enough that no encoding of other bytes contains it by chance. */
const marker = (label: string) => `${label}-${randomBytes(8).toString('hex')}`;

interface Phone {
  readonly client: PortcullisClient;
  readonly transport: DeliveryTransport;
  readonly engine: E2eeEngine;
  readonly store: MemoryGroupStateStore;
  readonly received: ReceivedMessage[];
  /** Resolves with the next message whose text is `text`. */
  nextText(text: string): Promise<ReceivedMessage>;
}

function filesUnder(dir: string): { where: string; bytes: Buffer }[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return filesUnder(full).map((file) => ({ ...file, where: `${name}/${file.where}` }));
    return [{ where: name, bytes: readFileSync(full) }];
  });
}

describe.each(testDatabases())('end-to-end encrypted messaging through the SDK on $dialect', (testDatabase) => {
  const { dialect } = testDatabase;
  let server: RunningServer;
  let baseUrl: string;
  let pinnedLogKey: string;
  let dataDir: string;
  let database: { url: string; schema?: string };
  const logLines: string[] = [];
  const texts: string[] = [];
  // Text bytes, so the scan below can look for every part of it in every encoding.
  const attachmentText = marker('attachment');
  const attachment = Buffer.from(`${attachmentText}\n`.repeat(64));

  beforeAll(async () => {
    database = testDatabase.freshDatabase();
    ({ server, baseUrl, dataDir } = await startRealTestServer({
      logLines,
      config: () => ({ database, messaging: { events: { heartbeatSeconds: 1, pollSeconds: 600 } } }),
    }));
    // The app ships with the log's public key; here it is read from the server's key ring.
    pinnedLogKey = keyLogKey(server.app.portcullis.keyRing, { publicUrl: server.publicUrl }).verifier.text;
  });
  afterAll(() => server.close());

  /** A verified account with `roles`, signed in on a new client (with a passkey for staff). */
  async function account(email: string, roles: readonly string[]) {
    const client = new PortcullisClient({ baseUrl, tokenStore: new MemoryTokenStore() });
    await client.signUp({ email, password: PASSWORD });
    const code = codeIn((await waitForMail(server.app, email, { subject: /confirm your email/i })).body);
    const { id } = await client.verifyEmail({ email, code, device });
    await setRoles(server.app, id, roles);
    await client.signIn({ email, password: PASSWORD, device });
    const software = new SoftwareAuthenticator();
    const authenticator: PasskeyAuthenticator = {
      create: (options) => Promise.resolve(software.register(options, { origin: baseUrl })),
      get: (options) => Promise.resolve(software.assert(options, { origin: baseUrl })),
    };
    if (!roles.includes('patient')) {
      await client.registerPasskey(authenticator, 'Phone');
      await client.signInWithPasskey(authenticator, device);
    }
    return { client, id, email };
  }

  /** Another signed-in phone of the same patient: a new device, confirmed with a code sent by email. */
  async function anotherPhone(email: string): Promise<PortcullisClient> {
    const client = new PortcullisClient({ baseUrl, tokenStore: new MemoryTokenStore() });
    const refused: unknown = await client
      .signIn({ email, password: PASSWORD, device: { label: 'Second phone', platform: 'android' } })
      .catch((e: unknown) => e);
    if (!isMfaRequired(refused)) throw new Error('expected the new phone to be confirmed');
    await client.sendSignInCode({ challenge: refused.challenge.token, channel: 'email' });
    const code = codeIn((await waitForMail(server.app, email, { subject: /sign-in code/i })).body);
    await client.completeSignIn({ challenge: refused.challenge.token, method: 'email_code', code });
    return client;
  }

  /** A messaging engine on `client`, trusting peers only through the key log, registered. */
  async function phone(client: PortcullisClient): Promise<Phone> {
    const transport = createHttpDeliveryTransport(client);
    const store = new MemoryGroupStateStore();
    const monitor = new KeyLogMonitor({ verifierKey: pinnedLogKey, source: keyLogSource(client), store: checkpointStoreIn(store) });
    const received: ReceivedMessage[] = [];
    const waiting: { text: string; resolve: (message: ReceivedMessage) => void }[] = [];
    const engine = await createMlsEngine({
      transport,
      verifier: createKeyLogVerifier({ monitor, transport }),
      store,
      events: {
        onMessage: (message) => {
          received.push(message);
          const text = message.content.type === 'text' ? message.content.text : undefined;
          for (const wait of waiting.filter((w) => w.text === text)) wait.resolve(message);
        },
      },
    });
    await engine.createDevice();
    const nextText = (text: string) => new Promise<ReceivedMessage>((resolve) => waiting.push({ text, resolve }));
    return { client, transport, engine, store, received, nextText };
  }

  const say = (label: string) => {
    const text = marker(label);
    texts.push(text);
    return text;
  };

  it('a patient on two phones and two clinicians talk; a signed-out phone reads nothing more; support cannot join', async () => {
    const patient = await account(`patient-${dialect}@clinic.test`, ['patient']);
    const clinician = await account(`clinician-${dialect}@clinic.test`, ['clinician']);
    const support = await account(`support-${dialect}@clinic.test`, ['support']);
    await grantRecordAccess(patient.client, { granteeAccountId: clinician.id, scope: 'read' });

    const patientPhone = await phone(patient.client);
    const clinicianPhone = await phone(clinician.client);
    const live = startLiveDelivery(clinician.client, clinicianPhone.engine);
    try {
      // First contact: the patient's phone verifies the clinician's credential in the log, then adds it.
      const groupId = await patientPhone.engine.createConversation([clinician.id]);
      const hello = say('hello');
      const arrived = clinicianPhone.nextText(hello);
      await patientPhone.engine.sendText(groupId, hello);
      const message = await arrived;
      expect(message.sender.accountId).toBe(patient.id);
      expect(message.groupId).toBe(groupId);
      // Each phone keeps the newest checkpoint it verified beside its group state.
      expect(await checkpointStoreIn(patientPhone.store).load()).toMatch(/\/portcullis\/key-log\n/);

      // The patient's second phone joins the existing conversation when the first adds it.
      const secondPhone = await phone(await anotherPhone(patient.email));
      const synced = await patientPhone.engine.syncDevices();
      expect(synced.added.map((d) => d.groupId)).toContain(groupId);
      await secondPhone.engine.receive();
      expect(await secondPhone.engine.conversations()).toContain(groupId);
      await clinicianPhone.engine.receive();
      expect((await clinicianPhone.engine.members(groupId)).filter((m) => m.accountId === patient.id)).toHaveLength(2);

      const reply = say('reply');
      await clinicianPhone.engine.sendText(groupId, reply);
      for (const patientDevice of [patientPhone, secondPhone]) {
        await patientDevice.engine.receive();
        expect(patientDevice.received.map((m) => (m.content.type === 'text' ? m.content.text : ''))).toContain(reply);
      }

      // An attachment: encrypted on the clinician's phone, opened on the patient's second phone.
      const reference = await clinicianPhone.engine.sendAttachment(groupId, {
        bytes: attachment,
        mediaType: 'application/pdf',
        name: 'results.pdf',
      });
      await secondPhone.engine.receive();
      const shared = secondPhone.received.find((m) => m.content.type === 'attachment');
      expect(shared).toBeDefined();
      expect(Buffer.from(await secondPhone.engine.openAttachment(groupId, reference))).toEqual(attachment);

      // The second phone signs out: its credential leaves the log's active set, the first phone commits its removal.
      await secondPhone.client.signOut();
      const removal = await patientPhone.engine.syncDevices();
      expect(removal.removed.map((d) => d.groupId)).toContain(groupId);
      await clinicianPhone.engine.receive();
      const after = say('after-sign-out');
      const arrivedAfter = patientPhone.nextText(after);
      await clinicianPhone.engine.sendText(groupId, after);
      await patientPhone.engine.receive();
      await arrivedAfter;
      // The signed-out phone's session is gone; even holding its old state it could not read this epoch.
      await expect(secondPhone.engine.receive()).rejects.toBeDefined();
      expect(secondPhone.received.map((m) => (m.content.type === 'text' ? m.content.text : ''))).not.toContain(after);

      // A second clinician the patient grants access joins the care team's conversation; every member sees it.
      const colleague = await account(`colleague-${dialect}@clinic.test`, ['clinician']);
      await grantRecordAccess(patient.client, { granteeAccountId: colleague.id, scope: 'read' });
      const colleaguePhone = await phone(colleague.client);
      await clinicianPhone.engine.addMembers(groupId, [colleague.id]);
      await colleaguePhone.engine.receive();
      await patientPhone.engine.receive();
      expect((await patientPhone.engine.members(groupId)).map((m) => m.accountId)).toContain(colleague.id);
      const handover = say('handover');
      await colleaguePhone.engine.sendText(groupId, handover);
      await patientPhone.engine.receive();
      expect(patientPhone.received.map((m) => (m.content.type === 'text' ? m.content.text : ''))).toContain(handover);

      // Support holds no messaging permission: no device, no conversation.
      await expect(createHttpDeliveryTransport(support.client).registerDevice({ signatureKey: new Uint8Array(32) })).rejects.toSatisfy(
        (e) => isApiError(e, 'RBAC_FORBIDDEN'),
      );
    } finally {
      live.close();
      await live.ended;
    }
  });

  it('a credential the log does not prove for that account is refused before anything is encrypted to it', async () => {
    const patient = await account(`forged-patient-${dialect}@clinic.test`, ['patient']);
    const clinician = await account(`forged-clinician-${dialect}@clinic.test`, ['clinician']);
    await grantRecordAccess(patient.client, { granteeAccountId: clinician.id, scope: 'read' });
    const patientPhone = await phone(patient.client);
    const clinicianPhone = await phone(clinician.client);
    const clinicianDevice = await clinicianPhone.engine.device();
    const patientDevice = await patientPhone.engine.device();
    if (!clinicianDevice || !patientDevice) throw new Error('devices not registered');
    const monitor = new KeyLogMonitor({ verifierKey: pinnedLogKey, source: keyLogSource(patient.client) });
    const honest = createKeyLogVerifier({ monitor, transport: patientPhone.transport });
    await honest.verify(clinicianDevice.identity, clinicianDevice.signatureKey);

    // A server that names the patient's own log entry for the clinician's device (a key logged for another account).
    const lying = createKeyLogVerifier({
      monitor,
      transport: {
        listDevices: async (accountId) =>
          (await patientPhone.transport.listDevices(accountId)).map((d) => ({ ...d, keyLogIndex: 0, signatureKey: d.signatureKey })),
      },
    });
    await expect(lying.verify(clinicianDevice.identity, clinicianDevice.signatureKey)).rejects.toSatisfy((e) =>
      isMessagingError(e, 'CREDENTIAL_REJECTED'),
    );
    // A key that was never logged for the device.
    const neverLogged = crypto.getRandomValues(new Uint8Array(32));
    await expect(honest.verify(clinicianDevice.identity, neverLogged)).rejects.toSatisfy((e) => isMessagingError(e, 'CREDENTIAL_REJECTED'));
    // Checkpoints signed by any other key than the pinned one are refused.
    const otherKey = noteVerifier(keyLogOrigin({ publicUrl: server.publicUrl }), crypto.getRandomValues(new Uint8Array(32))).text;
    const wrongPin = new KeyLogMonitor({ verifierKey: otherKey, source: keyLogSource(patient.client) });
    await expect(wrongPin.refresh()).rejects.toSatisfy((e) => isKeyTransparencyError(e));
  });

  it('leaves no text and no attachment byte readable in the database, the data directory or the logs', () => {
    expect(texts.length).toBeGreaterThanOrEqual(3);
    const copy = [...filesUnder(dataDir), { where: 'logs', bytes: Buffer.from(logLines.join('\n')) }];
    if (dialect === 'postgres') {
      const url = postgresRunUrl();
      if (url === null || database.schema === undefined) throw new Error('no PostgreSQL schema to dump');
      copy.push({
        where: 'pg_dump',
        bytes: execFileSync('pg_dump', ['--dbname', url, '--schema', database.schema, '--no-owner'], { maxBuffer: 256 * 1024 * 1024 }),
      });
    } else {
      expect(copy.map((file) => file.where)).toEqual(expect.arrayContaining(['portcullis.db', 'portcullis.db-wal']));
    }
    expect(logLines.length).toBeGreaterThan(0);
    // The scan finds a text wherever it does sit (here: a control file holding one in base64url).
    expect(findMarkers([{ where: 'control', bytes: Buffer.from(Buffer.from(texts[0] ?? '').toString('base64url')) }], texts)).not.toEqual(
      [],
    );
    expect(findMarkers(copy, [...texts, attachmentText])).toEqual([]);
  });
});
