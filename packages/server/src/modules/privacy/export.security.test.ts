/**
 * The account export (right of access and portability; ASVS V14.2.x, V7.5.1 step-up, V14.2.6
 * only what is needed leaves): over HTTP on both databases.
 *
 * Invariants:
 * - the export needs a fresh step-up bound to the request, and is audited;
 * - a real export validates against the published schema (docs/schemas/account-export.schema.json)
 *   and holds everything about the person: account, profile, file, grants, sessions, factors and
 *   the audit entries naming them;
 * - no secret is ever part of it: no password hash, authenticator seed (sealed or clear), token or
 *   token hash, recovery-code hash, data key or sealed value.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Compile } from 'typebox/compile';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACCOUNT_EXPORT_SCHEMA_ID, type AccountExport } from '@portcullis/protocol';
import { testDatabases } from '../../test-support/databases.ts';
import { problemOf } from '../../test-support/step-up-client.ts';
import { buildPrivacyHarness, populatedPatient, withStepUp, type PrivacyHarness } from './test-support/privacy-harness.ts';

const PUBLISHED_SCHEMA = fileURLToPath(new URL('../../../../../docs/schemas/account-export.schema.json', import.meta.url));

describe.each(testDatabases())('account export on $dialect', ({ dialect }) => {
  let h: PrivacyHarness;
  beforeEach(async () => {
    h = await buildPrivacyHarness(dialect);
  });
  afterEach(() => h.app.close());

  it('V7.5.1: the export needs a step-up bound to the request', async () => {
    const { person } = await populatedPatient(h, 'ask@example.test');
    expect(problemOf(await person.device.call('GET', '/v1/accounts/me/export'))).toEqual([401, 'STEP_UP_REQUIRED']);
  });

  it('V14.2.6: a real export follows the published schema, holds everything about the person and no secret', async () => {
    const { person, other, clinicianId } = await populatedPatient(h, 'erin@example.test');
    const response = await withStepUp(h, person, { method: 'GET', url: '/v1/accounts/me/export' });
    expect(response.statusCode).toBe(200);
    const document = response.json<AccountExport>();

    const schema = JSON.parse(readFileSync(PUBLISHED_SCHEMA, 'utf8')) as Record<string, unknown>;
    expect(schema['$id']).toBe(ACCOUNT_EXPORT_SCHEMA_ID);
    const validator = Compile(schema);
    expect([...validator.Errors(document)]).toEqual([]);
    expect(validator.Check(document)).toBe(true);

    expect(document).toMatchObject({
      $schema: ACCOUNT_EXPORT_SCHEMA_ID,
      schemaVersion: 1,
      account: { id: person.accountId, email: person.email, emailVerified: true, roles: ['patient'], hasPassword: true },
      profile: { fields: { displayName: 'Erin Example', dateOfBirth: '1980-02-03', emergencyContact: 'Sam, +15550100' } },
      recordEntries: [
        { patientAccountId: person.accountId, authorAccountId: clinicianId, fields: { kind: 'note', note: 'allergic to penicillin' } },
      ],
      grantsGiven: [{ granteeAccountId: clinicianId, scope: 'write', revokedAt: null }],
      grantsReceived: [],
    });
    expect(document.sessions).toHaveLength(2);
    expect(document.knownDevices.map((d) => d.keyThumbprint).sort()).toEqual([person.device.key.jkt, other.key.jkt].sort());
    expect(document.factors.map((f) => f.kind).sort()).toEqual(['recovery_codes', 'totp']);
    const actions = document.auditEntries.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['account.created', 'mfa.totp_enrolment_confirmed', 'profile.updated', 'record.written', 'account.exported']),
    );
    expect(document.auditEntries.every((e) => e.actor === person.accountId || e.subject === person.accountId)).toBe(true);

    // No secret of any kind is in the document.
    const db = h.app.portcullis.database.db;
    const account = await db.selectFrom('accounts').select('password_hash').where('id', '=', person.accountId).executeTakeFirstOrThrow();
    const secrets = [
      account.password_hash,
      person.secret,
      ...(await db.selectFrom('mfa_totp_factors').select('secret_ciphertext').where('account_id', '=', person.accountId).execute()).map(
        (r) => r.secret_ciphertext,
      ),
      ...(await db.selectFrom('mfa_recovery_codes').select('code_hash').where('account_id', '=', person.accountId).execute()).map(
        (r) => r.code_hash,
      ),
      ...(await db.selectFrom('session_tokens').select('secret_hash').execute()).map((r) => r.secret_hash),
      ...(await db.selectFrom('data_keys').select('wrapped').execute()).map((r) => r.wrapped),
      person.device.tokens?.accessToken,
      person.device.tokens?.refreshToken,
      other.tokens?.accessToken,
      other.tokens?.refreshToken,
    ].filter((value): value is string => typeof value === 'string' && value.length > 0);
    expect(secrets.length).toBeGreaterThan(10);
    for (const secret of secrets) expect(response.body).not.toContain(secret);
    for (const token of [person.device.tokens?.accessToken, other.tokens?.refreshToken]) {
      // Neither half of an `<id>.<secret>` token.
      expect(response.body).not.toContain(token?.split('.')[1] ?? 'missing');
    }
    expect(response.body).not.toMatch(/pd1\.\d+\.|\$argon2|"sealed"/);
  });
});
