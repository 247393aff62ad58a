/**
 * The mailbox event stream (`GET /v1/messaging/events`) over a real socket, authenticated like
 * every request (access token and DPoP proof): a device with waiting entries gets one `mailbox`
 * event per entry (id = seq) at once, resumes after `Last-Event-ID`, hears a new message live
 * (the poll is set far beyond the test, so only the wake-up can deliver it), and loses the stream
 * within one heartbeat when its session is revoked, and ends as the server closes rather than
 * holding its shutdown. A session without a messaging device, and a
 * malformed `Last-Event-ID`, get a problem, not a stream.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MailboxEvent } from '@portcullis/protocol';
import type { App } from '../../app.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { createAccount, insertGrant, signedInDevice } from '../../test-support/records-world.ts';
import { openEventStream, streamOf, type EventStreamReader, type ServerSentEvent } from './test-support/event-stream-client.ts';
import { MlsDevice, recordingKeyLog } from './test-support/mls-world.ts';

const HEARTBEAT_SECONDS = 1;

describe.each(testDatabases())('mailbox event stream on $dialect', ({ dialect }) => {
  let app: App;
  let baseUrl: string;
  const open: EventStreamReader[] = [];

  beforeEach(async () => {
    app = await buildTestApp({
      dialect,
      keyLog: recordingKeyLog(),
      config: { messaging: { events: { heartbeatSeconds: HEARTBEAT_SECONDS, pollSeconds: 600, maxStreamSeconds: 300 } } },
    });
    baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((stream) => stream.close()));
    await app.close();
  });

  async function stream(device: MlsDevice, headers: Record<string, string> = {}): Promise<EventStreamReader> {
    const reader = await streamOf(baseUrl, device.session, headers);
    open.push(reader);
    return reader;
  }

  /** A clinician in a conversation with a patient who has not fetched anything: a Welcome waits for the patient. */
  async function conversation() {
    const patientId = await createAccount(app, ['patient']);
    const clinicianId = await createAccount(app, ['clinician']);
    await insertGrant(app, { patientId, granteeId: clinicianId, scope: 'read' });
    const clinician = await MlsDevice.registered(app, clinicianId);
    const patient = await MlsDevice.registered(app, patientId);
    await patient.uploadKeyPackages(1, true);
    const groupId = await clinician.createGroup();
    const adds = (await clinician.claim(patientId)).json<{ keyPackages: { deviceId: string; keyPackage: string }[] }>().keyPackages;
    expect((await clinician.commit(groupId, await clinician.buildCommit(groupId, adds))).statusCode).toBe(201);
    return { clinician, patient, groupId };
  }

  /** Whether the server ends the stream within `ms`. */
  async function endsWithin(events: EventStreamReader, ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    const ended = await Promise.race([events.ended.then(() => true), timeout]);
    clearTimeout(timer);
    return ended;
  }

  async function send(clinician: MlsDevice, groupId: string, text: string): Promise<number> {
    const response = await clinician.send(groupId, text);
    expect(response.statusCode, response.body).toBe(201);
    return response.json<{ seq: number }>().seq;
  }

  async function waitingSeqs(device: MlsDevice): Promise<number[]> {
    const response = await device.call('GET', '/v1/messaging/mailbox');
    return response.json<{ entries: { seq: number }[] }>().entries.map((entry) => entry.seq);
  }

  function expectMailboxEvents(events: readonly ServerSentEvent[], seqs: readonly number[], groupId: string): void {
    expect(events.map((event) => event.event)).toEqual(seqs.map(() => 'mailbox'));
    expect(events.map((event) => event.id)).toEqual(seqs.map(String));
    for (const event of events) {
      const data = JSON.parse(event.data ?? '') as MailboxEvent;
      expect(data.seq).toBe(Number(event.id));
      expect(data.groupId).toBe(groupId);
      // Announcements only: the payload is fetched from the mailbox.
      expect(Object.keys(data).sort()).toEqual(['groupId', 'kind', 'seq']);
    }
  }

  it('announces every waiting entry at once, one `mailbox` event per entry with id = seq, in order', async () => {
    const { clinician, patient, groupId } = await conversation();
    await send(clinician, groupId, 'one');
    await send(clinician, groupId, 'two');
    const seqs = await waitingSeqs(patient);
    expect(seqs).toHaveLength(3);

    const events = await stream(patient);
    expect(events.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(events.response.headers.get('cache-control')).toBe('no-store');
    expectMailboxEvents(await events.waitForEvents(3), seqs, groupId);
    expect(events.events.map((event) => JSON.parse(event.data ?? '') as MailboxEvent).map((data) => data.kind)).toEqual([
      'welcome',
      'application',
      'application',
    ]);
    expect(events.retry).toBeGreaterThan(0);
    // Nothing more comes on its own: the heartbeats that follow are comments.
    await new Promise((resolve) => setTimeout(resolve, HEARTBEAT_SECONDS * 1000 + 300));
    expect(events.events).toHaveLength(3);
    expect(events.comments).toBeGreaterThanOrEqual(1);
  });

  it('resumes after `Last-Event-ID`: only later entries are announced', async () => {
    const { clinician, patient, groupId } = await conversation();
    await send(clinician, groupId, 'one');
    await send(clinician, groupId, 'two');
    const [welcome, ...later] = await waitingSeqs(patient);
    const events = await stream(patient, { 'last-event-id': String(welcome) });
    expectMailboxEvents(await events.waitForEvents(2), later, groupId);
    const last = later[later.length - 1] ?? 0;
    const none = await stream(patient, { 'last-event-id': String(last) });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(none.events).toEqual([]);
    expect(none.done).toBe(false);
  });

  it('delivers a message sent while the stream is open, live (the wake-up, not the poll)', async () => {
    const { clinician, patient, groupId } = await conversation();
    const events = await stream(patient);
    await events.waitForEvents(1);
    const seq = await send(clinician, groupId, 'while you are online');
    const [, live] = await events.waitForEvents(2, 3000);
    expect(live?.id).toBe(String(seq));
    expect(JSON.parse(live?.data ?? '')).toEqual({ seq, groupId, kind: 'application' });
    // And a commit too.
    expect((await clinician.commit(groupId, await clinician.buildCommit(groupId))).statusCode).toBe(201);
    const [, , commit] = await events.waitForEvents(3, 3000);
    expect(JSON.parse(commit?.data ?? '')).toMatchObject({ groupId, kind: 'commit' });
  });

  it('signing the session out ends the stream within one heartbeat', async () => {
    const { clinician, patient, groupId } = await conversation();
    const events = await stream(patient);
    await events.waitForEvents(1);
    expect((await patient.session.call('DELETE', '/v1/sessions/current')).statusCode).toBe(200);
    expect(await endsWithin(events, HEARTBEAT_SECONDS * 1000 + 1000)).toBe(true);
    // Nothing sent afterwards reaches the device: it left its conversations with its session.
    await send(clinician, groupId, 'after sign-out');
    expect(events.events).toHaveLength(1);
  });

  it('support signing the account out everywhere ends the device’s stream within one heartbeat', async () => {
    const { patient } = await conversation();
    const support = await signedInDevice(app, await createAccount(app, ['support']));
    const events = await stream(patient);
    await events.waitForEvents(1);
    const revoked = await support.call('POST', `/v1/admin/accounts/${patient.accountId}/sign-out`);
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(await endsWithin(events, HEARTBEAT_SECONDS * 1000 + 1000)).toBe(true);
  });

  it('closing the server ends open streams at once instead of waiting for them', async () => {
    const { patient } = await conversation();
    const events = await stream(patient);
    await events.waitForEvents(1);
    const closed = app.close().then(() => true);
    expect(await endsWithin(events, 2000)).toBe(true);
    expect(await Promise.race([closed, new Promise((resolve) => setTimeout(() => resolve(false), 2000))])).toBe(true);
  });

  it('a session without a messaging device gets 404 problem+json, not a stream', async () => {
    const unregistered = await MlsDevice.signIn(app, await createAccount(app, ['patient']));
    const answer = await openEventStream(baseUrl, unregistered.session);
    expect(answer.stream).toBeUndefined();
    if (answer.stream) return;
    expect(answer.response.status).toBe(404);
    expect(answer.response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await answer.response.json()).toMatchObject({ code: 'MESSAGING_DEVICE_NOT_FOUND' });
  });

  it.each(['abc', '-1', '1e3', '1 2', '1234567890123456'])('`Last-Event-ID: %s` gets 400 problem+json', async (lastEventId) => {
    const { patient } = await conversation();
    const answer = await openEventStream(baseUrl, patient.session, { 'last-event-id': lastEventId });
    expect(answer.stream).toBeUndefined();
    if (answer.stream) return;
    expect(answer.response.status).toBe(400);
    expect(answer.response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await answer.response.json()).toMatchObject({ code: 'REQUEST_INVALID' });
  });

  it('a request without a valid DPoP proof gets 401, not a stream', async () => {
    const { patient } = await conversation();
    const accessToken = patient.session.tokens?.accessToken ?? '';
    const response = await fetch(`${baseUrl}/v1/messaging/events`, { headers: { authorization: `DPoP ${accessToken}` } });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});
