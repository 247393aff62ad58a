/**
 * Logs by construction: which keys the logs redact follows from `records.types`, not from a
 * hand-kept list. A deployment declares a record type of its own, with field names no list
 * could know; every declared field of every type is then sent through the API — accepted,
 * refused by validation, and logged by code under its field name — at the most verbose log
 * level, and none of the values appears in any log line.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import type { ConfigOverrides } from '../../config/schema.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { createAccount, insertGrant, signedInDevice } from '../../test-support/records-world.ts';

const marker = (field: string) => `${field}-${randomBytes(6).toString('hex')}`;

const RECORDS: NonNullable<ConfigOverrides['records']> = {
  types: {
    profile: {
      cardinality: 'one',
      description: 'A profile with fields of this deployment only.',
      fields: {
        displayName: { type: 'text', maxLength: 80, classification: 'public' },
        shoeSize: { type: 'text', maxLength: 40, classification: 'private' },
        favouriteColour: { type: 'text', maxLength: 40, classification: 'care_team' },
      },
    },
    'dental-chart': {
      cardinality: 'many',
      description: 'An entry type of this deployment only.',
      fields: {
        toothNumber: { type: 'text', maxLength: 40, classification: 'phi' },
        fillingMaterial: { type: 'text', maxLength: 40, classification: 'phi' },
      },
    },
  },
};

describe('V16.2.5: log redaction derived from the declared record types', () => {
  let app: App;
  const lines: string[] = [];
  beforeAll(async () => {
    app = await buildTestApp({ logLines: lines, config: { records: RECORDS, log: { level: 'trace' } } });
  });
  afterAll(() => app.close());

  it('no value of any declared field reaches the logs, accepted, refused or logged by name', async () => {
    const patientId = await createAccount(app, ['patient']);
    const patient = await signedInDevice(app, patientId);
    const clinicianId = await createAccount(app, ['clinician']);
    await insertGrant(app, { patientId, granteeId: clinicianId, scope: 'write' });
    const clinician = await signedInDevice(app, clinicianId);
    const sent: string[] = [];
    const values = (fields: Record<string, unknown>) =>
      Object.fromEntries(
        Object.keys(fields).map((field) => {
          const value = marker(field);
          sent.push(value);
          return [field, value];
        }),
      );

    for (const [name, type] of Object.entries(RECORDS.types ?? {})) {
      const fields = type?.fields ?? {};
      if (name === 'profile') {
        expect((await patient.call('PUT', '/v1/accounts/me/profile', { fields: values(fields) })).statusCode).toBe(200);
        // Refused: an undeclared field beside the declared ones, and a value over its limit.
        expect((await patient.call('PUT', '/v1/accounts/me/profile', { fields: { ...values(fields), notDeclared: 'x' } })).statusCode).toBe(
          400,
        );
        expect(
          (await patient.call('PUT', '/v1/accounts/me/profile', { fields: { shoeSize: `${marker('long')}${'x'.repeat(60)}` } })).statusCode,
        ).toBe(400);
      } else {
        const url = `/v1/records/patients/${patientId}/entries`;
        expect((await clinician.call('POST', url, { type: name, fields: values(fields) })).statusCode).toBe(201);
        expect((await clinician.call('POST', url, { type: name, fields: { ...values(fields), notDeclared: 'x' } })).statusCode).toBe(400);
      }
      // Code that logs a record by its field names, at any level.
      app.log.info({ record: values(fields) }, 'record written');
      app.log.error({ detail: { fields: values(fields) } }, 'record failed');
    }
    for (const url of ['/v1/accounts/me/profile', '/v1/records/me/entries']) expect((await patient.call('GET', url)).statusCode).toBe(200);

    expect(lines.length).toBeGreaterThan(10);
    expect(sent.length).toBeGreaterThanOrEqual(15);
    expect(sent.filter((value) => lines.some((line) => line.includes(value)))).toEqual([]);
    // The declared names themselves are what the logs redact.
    const logged = lines
      .map((line) => JSON.parse(line) as { msg?: string; record?: Record<string, unknown> })
      .find((entry) => entry.msg === 'record written');
    expect(logged?.record).toMatchObject({ shoeSize: '[REDACTED]', favouriteColour: '[REDACTED]', displayName: '[REDACTED]' });
  });
});
