/**
 * The key-log routes over HTTP: a signed-in person who may use messaging reads the checkpoint,
 * entries with inclusion proofs and consistency proofs; malformed numbers are refused as
 * `REQUEST_INVALID` and sizes outside the log as `KEY_LOG_PROOF_RANGE_INVALID`, both as
 * problem+json; a role without `messages:use` is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyLogCheckpoint, KeyLogConsistencyProof, KeyLogEntryWithProof } from '@portcullis/protocol';
import type { App } from '../../app.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import type { TestDevice } from '../../test-support/dpop-client.ts';
import { appendKeyLogFixture, ensureKeyLogSize } from '../../test-support/key-log-fixtures.ts';
import { createAccount, signedInDevice } from '../../test-support/records-world.ts';

describe.each(testDatabases())('key-log routes on $dialect', ({ dialect }) => {
  let app: App;
  let patientId: string;
  let patient: TestDevice;
  let support: TestDevice;
  beforeAll(async () => {
    app = await buildTestApp({ dialect });
    patientId = await createAccount(app, ['patient']);
    patient = await signedInDevice(app, patientId);
    support = await signedInDevice(app, await createAccount(app, ['support']));
    // The patient's own devices: entries of people the messaging policy keeps them from are hidden.
    await ensureKeyLogSize(app, 5, patientId);
  });
  afterAll(() => app.close());

  it('serves the checkpoint, an entry with its proof, and a consistency proof', async () => {
    const checkpoint = await patient.call('GET', '/v1/key-log/checkpoint');
    expect(checkpoint.statusCode).toBe(200);
    const head = checkpoint.json<KeyLogCheckpoint>();
    expect(head.treeSize).toBe(5);
    expect(head.note.startsWith('portcullis.test/portcullis/key-log\n5\n')).toBe(true);
    const entry = await patient.call('GET', '/v1/key-log/entries/3?treeSize=5');
    expect(entry.statusCode).toBe(200);
    const body = entry.json<KeyLogEntryWithProof>();
    expect(body.entry).toMatchObject({ index: 3, op: 'add', deviceId: 'dev_fixture_3' });
    expect(body.inclusionProof).toMatchObject({ leafIndex: 3, treeSize: 5 });
    const consistency = await patient.call('GET', '/v1/key-log/consistency?from=2&to=5');
    expect(consistency.statusCode).toBe(200);
    expect(consistency.json<KeyLogConsistencyProof>()).toMatchObject({ fromSize: 2, toSize: 5 });
  });

  it('refuses malformed numbers with REQUEST_INVALID and sizes outside the log with KEY_LOG_PROOF_RANGE_INVALID', async () => {
    const cases: [string, string][] = [
      ['/v1/key-log/entries/abc?treeSize=5', 'REQUEST_INVALID'],
      ['/v1/key-log/entries/1', 'REQUEST_INVALID'],
      ['/v1/key-log/entries/1?treeSize=-1', 'REQUEST_INVALID'],
      ['/v1/key-log/entries/1?treeSize=5&extra=1', 'REQUEST_INVALID'],
      ['/v1/key-log/consistency?from=1', 'REQUEST_INVALID'],
      ['/v1/key-log/consistency?from=x&to=2', 'REQUEST_INVALID'],
      ['/v1/key-log/entries/5?treeSize=5', 'KEY_LOG_PROOF_RANGE_INVALID'],
      ['/v1/key-log/entries/0?treeSize=6', 'KEY_LOG_PROOF_RANGE_INVALID'],
      ['/v1/key-log/consistency?from=0&to=2', 'KEY_LOG_PROOF_RANGE_INVALID'],
      ['/v1/key-log/consistency?from=3&to=2', 'KEY_LOG_PROOF_RANGE_INVALID'],
      ['/v1/key-log/consistency?from=1&to=99', 'KEY_LOG_PROOF_RANGE_INVALID'],
    ];
    for (const [url, code] of cases) {
      const response = await patient.call('GET', url);
      expect(response.statusCode, url).toBe(400);
      expect(response.headers['content-type'], url).toContain('application/problem+json');
      expect(response.json<{ code: string }>().code, url).toBe(code);
    }
  });

  it('refuses a role without messages:use', async () => {
    const response = await support.call('GET', '/v1/key-log/checkpoint');
    expect(response.statusCode).toBe(403);
    expect(response.json<{ code: string }>().code).toBe('RBAC_FORBIDDEN');
  });
  // Last: it grows the log the tests above measure.
  it('V8.2.2: hides the entries of an account the caller may not talk to (the same answer as for a missing entry)', async () => {
    const stranger = await createAccount(app, ['patient']);
    const index = await appendKeyLogFixture(app, stranger);
    const hidden = await patient.call('GET', `/v1/key-log/entries/${index}?treeSize=${index + 1}`);
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json()).toMatchObject({ code: 'KEY_LOG_ENTRY_NOT_FOUND' });
    const own = await appendKeyLogFixture(app, patientId);
    expect((await patient.call('GET', `/v1/key-log/entries/${own}?treeSize=${own + 1}`)).statusCode).toBe(200);
  });
});
