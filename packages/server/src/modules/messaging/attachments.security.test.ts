/**
 * Encrypted attachments, stated as invariants (ASVS V8.2.2 data-specific access, V8.3.1
 * enforcement at the service layer, V5.2.1 upload size, V14.2.7 retention):
 * - only an active member device of a conversation uploads to it or downloads from it; a device
 *   of an account outside the conversation, and the device of a member removed from it, get the
 *   same 404 as for a conversation that does not exist, for both directions (V8.2.2, V8.3.1);
 * - an attachment is reachable only through its own conversation: its id under another
 *   conversation the caller belongs to is 404 (V8.2.2);
 * - bodies are opaque bytes: an upload is `application/octet-stream`, stored and served back
 *   byte for byte, never transformed; another media type is refused, an empty body is 400 and a
 *   body over `messaging.attachments.maxBytes` is 413 (V5.2.1), while the general request body
 *   limit does not cap attachments;
 * - an attachment older than `messaging.mailbox.retentionDays` is neither served nor kept once
 *   the retention sweep has run (V14.2.7).
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp, type App } from '../../app.ts';
import { manualClock } from '../../platform/clock/clock.ts';
import { createLogger } from '../../platform/logging/logger.ts';
import { createMemoryDoorbell } from '../../platform/realtime/index.ts';
import { testConfig } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import { createAccount, insertGrant } from '../../test-support/records-world.ts';
import type { MessagingDeps } from './deps.ts';
import { sweepExpired } from './mailbox.ts';
import { MlsDevice, newGroupId, recordingKeyLog } from './test-support/mls-world.ts';

/** Above the general request body limit (100 KiB by default), so the test shows attachments have their own. */
const MAX_BYTES = 256 * 1024;
const DAY_MS = 86_400_000;

describe.each(testDatabases())('attachment security on $dialect', ({ dialect }) => {
  let app: App;
  let clock: ReturnType<typeof manualClock>;
  let deps: MessagingDeps;

  beforeEach(async () => {
    clock = manualClock(Date.UTC(2026, 2, 2, 9));
    const keyLog = recordingKeyLog();
    const config = testConfig({ dialect, config: { messaging: { attachments: { maxBytes: MAX_BYTES }, mailbox: { retentionDays: 1 } } } });
    app = await buildApp(config, { logger: createLogger(config), clock, keyLog });
    app.addHook('onClose', () => rmSync(config.dataDir, { recursive: true, force: true }));
    deps = { db: app.portcullis.database.db, dialect, clock, keyLog, config: config.messaging, doorbell: createMemoryDoorbell() };
  });
  afterEach(() => app.close());

  /** A clinician and a patient who granted them access, in one conversation (both joined). */
  async function conversation() {
    const patientId = await createAccount(app, ['patient']);
    const clinicianId = await createAccount(app, ['clinician']);
    await insertGrant(app, { patientId, granteeId: clinicianId, scope: 'read' });
    const clinician = await MlsDevice.registered(app, clinicianId);
    const patient = await MlsDevice.registered(app, patientId);
    await patient.uploadKeyPackages(1, true);
    const groupId = await clinician.createGroup();
    const claim = await clinician.claim(patientId);
    const adds = claim.json<{ keyPackages: { deviceId: string; keyPackage: string }[] }>().keyPackages;
    const built = await clinician.buildCommit(groupId, adds);
    expect((await clinician.commit(groupId, built)).statusCode).toBe(201);
    await patient.join(groupId, built.body.welcome ?? '', adds[0]?.keyPackage ?? '');
    return { clinician, patient, groupId };
  }

  async function upload(device: MlsDevice, groupId: string, bytes: Uint8Array): Promise<string> {
    const response = await device.upload(groupId, bytes);
    expect(response.statusCode, response.body).toBe(201);
    const stored = response.json<{ attachmentId: string; size: number }>();
    expect(stored.size).toBe(bytes.length);
    return stored.attachmentId;
  }

  const download = (device: MlsDevice, groupId: string, attachmentId: string): Promise<LightMyRequestResponse> =>
    device.call('GET', `/v1/messaging/groups/${groupId}/attachments/${attachmentId}`);

  function expectNotFound(response: LightMyRequestResponse): void {
    expect(response.statusCode, response.body).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ code: 'MESSAGING_GROUP_NOT_FOUND' });
  }

  async function storedContent(attachmentId: string): Promise<Buffer | undefined> {
    const row = await app.portcullis.database.db
      .selectFrom('messaging_attachments')
      .select('content')
      .where('id', '=', attachmentId)
      .executeTakeFirst();
    return row ? Buffer.from(row.content) : undefined;
  }

  it('a member’s upload comes back to another member byte for byte, and is stored untransformed', async () => {
    const { clinician, patient, groupId } = await conversation();
    // Every byte value, line breaks, NULs and bytes that are not UTF-8: nothing may be decoded or normalised.
    const bytes = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from('\r\n\0\xff\xfe'), randomBytes(4096)]);
    const attachmentId = await upload(patient, groupId, bytes);
    expect(attachmentId).toMatch(/^att_[A-Za-z0-9_-]{22}$/);

    for (const member of [clinician, patient]) {
      const response = await download(member, groupId, attachmentId);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/octet-stream/);
      expect(response.rawPayload.equals(bytes)).toBe(true);
    }
    expect((await storedContent(attachmentId))?.equals(bytes)).toBe(true);
  });

  it('V5.2.1: an attachment may be as large as `messaging.attachments.maxBytes`, over the general body limit, and no larger (413)', async () => {
    const { clinician, patient, groupId } = await conversation();
    const largest = randomBytes(MAX_BYTES);
    const attachmentId = await upload(clinician, groupId, largest);
    expect((await download(patient, groupId, attachmentId)).rawPayload.equals(largest)).toBe(true);
    expect((await storedContent(attachmentId))?.length).toBe(MAX_BYTES);

    const before = await app.portcullis.database.db.selectFrom('messaging_attachments').select('id').execute();
    const tooLarge = await clinician.upload(groupId, randomBytes(MAX_BYTES + 1));
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(tooLarge.json()).toMatchObject({ code: 'REQUEST_BODY_TOO_LARGE' });
    expect(await app.portcullis.database.db.selectFrom('messaging_attachments').select('id').execute()).toEqual(before);
  });

  it('an empty body is 400 and stores nothing', async () => {
    const { clinician, groupId } = await conversation();
    const empty = await clinician.upload(groupId, new Uint8Array());
    expect(empty.statusCode).toBe(400);
    expect(empty.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await app.portcullis.database.db.selectFrom('messaging_attachments').select('id').execute()).toEqual([]);
  });

  it('a body of another media type (JSON, text, form) is refused and stores nothing', async () => {
    const { clinician, groupId } = await conversation();
    const url = `/v1/messaging/groups/${groupId}/attachments`;
    const accessToken = clinician.session.tokens?.accessToken ?? '';
    const bodies: { type: string; payload: string }[] = [
      { type: 'application/json', payload: JSON.stringify({ content: Buffer.from('not bytes').toString('base64') }) },
      { type: 'text/plain', payload: 'plain text' },
      { type: 'application/x-www-form-urlencoded', payload: 'content=abc' },
    ];
    for (const { type, payload } of bodies) {
      const response = await clinician.session.send({ method: 'POST', url, payload, accessToken, headers: { 'content-type': type } });
      expect([400, 415], `${type}: ${response.body}`).toContain(response.statusCode);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect(await app.portcullis.database.db.selectFrom('messaging_attachments').select('id').execute()).toEqual([]);
  });

  it('V8.2.2: a device of an account outside the conversation gets the 404 of a conversation that does not exist, both ways', async () => {
    const { clinician, groupId } = await conversation();
    const attachmentId = await upload(clinician, groupId, randomBytes(64));
    // A colleague the clinician may talk to, and a stranger patient: neither is in this conversation.
    const colleague = await MlsDevice.registered(app, await createAccount(app, ['clinician']));
    const stranger = await MlsDevice.registered(app, await createAccount(app, ['patient']));
    const nowhere = newGroupId();
    for (const outsider of [colleague, stranger]) {
      expectNotFound(await download(outsider, groupId, attachmentId));
      expectNotFound(await outsider.upload(groupId, randomBytes(64)));
      // Exactly what a group that does not exist answers.
      expectNotFound(await download(outsider, nowhere, attachmentId));
      expectNotFound(await outsider.upload(nowhere, randomBytes(64)));
    }
    expect(await app.portcullis.database.db.selectFrom('messaging_attachments').select('id').execute()).toEqual([{ id: attachmentId }]);
  });

  it('V8.2.2: a device removed from the conversation can neither download nor upload any more', async () => {
    const { clinician, patient, groupId } = await conversation();
    const before = await upload(clinician, groupId, randomBytes(64));
    expect((await download(patient, groupId, before)).statusCode).toBe(200);
    const removal = await clinician.buildRemoval(groupId, [patient.deviceId]);
    expect((await clinician.commit(groupId, removal)).statusCode).toBe(201);
    const after = await upload(clinician, groupId, randomBytes(64));

    // Still signed in and still a messaging device, but no longer a member.
    expect((await patient.call('GET', '/v1/messaging/mailbox')).statusCode).toBe(200);
    expectNotFound(await download(patient, groupId, before));
    expectNotFound(await download(patient, groupId, after));
    expectNotFound(await patient.upload(groupId, randomBytes(64)));
  });

  it('V8.2.2: an attachment is reachable only under its own conversation', async () => {
    const { clinician, patient, groupId } = await conversation();
    // The clinician's second conversation, which the patient is not in.
    const otherGroup = await clinician.createGroup();
    const elsewhere = await upload(clinician, otherGroup, randomBytes(64));
    const here = await upload(clinician, groupId, randomBytes(64));
    // A member of both asks for each under the wrong conversation.
    expectNotFound(await download(clinician, groupId, elsewhere));
    expectNotFound(await download(clinician, otherGroup, here));
    // A member of the first conversation cannot reach the other's attachment through its own.
    expectNotFound(await download(patient, groupId, elsewhere));
    // An id that was never issued looks the same.
    expectNotFound(await download(clinician, groupId, `att_${randomBytes(16).toString('base64url')}`));
    expect((await download(clinician, otherGroup, elsewhere)).statusCode).toBe(200);
  });

  it('V14.2.7: an attachment past the retention is not served, and the retention sweep deletes it', async () => {
    const { clinician, patient, groupId } = await conversation();
    const old = await upload(clinician, groupId, randomBytes(64));
    clock.advance(DAY_MS + 60_000);
    for (const device of [clinician, patient]) expect((await device.session.refresh()).statusCode).toBe(200);
    const fresh = await upload(clinician, groupId, randomBytes(64));

    expectNotFound(await download(patient, groupId, old));
    expect((await download(patient, groupId, fresh)).statusCode).toBe(200);
    await sweepExpired(deps, { force: true });
    expect(await storedContent(old)).toBeUndefined();
    expect(await storedContent(fresh)).toBeDefined();
  });
});
