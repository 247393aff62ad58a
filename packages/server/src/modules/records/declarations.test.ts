/**
 * Declared data: record types are configuration. The declarations are checked at start-up with
 * every problem named by its path; input is validated against them (400 with a JSON pointer to
 * the field); and the OpenAPI document carries each field's classification (`x-classification`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import { checkRecordDeclarations } from '../../config/record-declarations.ts';
import type { ConfigOverrides } from '../../config/schema.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { createAccount, insertGrant, signedInDevice } from '../../test-support/records-world.ts';

type Types = NonNullable<NonNullable<ConfigOverrides['records']>['types']>;

const TYPES = {
  profile: {
    cardinality: 'one',
    description: 'A profile.',
    fields: {
      displayName: { type: 'text', maxLength: 80, classification: 'public' },
      born: { type: 'date', classification: 'private' },
      nextOfKin: { type: 'text', maxLength: 100, classification: 'care_team' },
    },
  },
  'vital-signs': {
    cardinality: 'many',
    description: 'Measurements at a visit.',
    fields: {
      pulse: { type: 'number', minimum: 20, maximum: 250, integer: true, required: true, classification: 'phi' },
      position: { type: 'enum', values: ['sitting', 'lying'], classification: 'phi' },
      remark: { type: 'text', maxLength: 20, classification: 'phi' },
    },
  },
} as const satisfies Types;

describe('declared record types', () => {
  it('reports every problem of a declaration at once, by path', () => {
    const problems = checkRecordDeclarations({
      note: { cardinality: 'one', description: 'x', fields: { Bad_Name: { type: 'text', maxLength: 5, classification: 'phi' } } },
      'Bad Type': { cardinality: 'many', description: 'x', fields: {} },
    } as never);
    expect(problems).toEqual(
      expect.arrayContaining([
        'records.types.note.cardinality: only the profile type is "one"; other types are patient-file entries ("many")',
        expect.stringMatching(/^records\.types\.note\.fields\.Bad_Name: a field name is camelCase/),
        expect.stringMatching(/^records\.types\.Bad Type: a type name is lower case/),
        'records.types.Bad Type.fields: declare at least one field',
        'records.types: a "profile" type with cardinality "one" must be declared',
      ]),
    );
    expect(checkRecordDeclarations(TYPES as never)).toEqual([]);
  });

  it('refuses to start with declarations that do not hold', async () => {
    const broken = { ...TYPES, profile: { ...TYPES.profile, cardinality: 'many' } } as const;
    await expect(buildTestApp({ config: { records: { types: broken } } })).rejects.toThrow(/records\.types\.profile\.cardinality/);
  });

  describe('in a running app', () => {
    let app: App;
    beforeAll(async () => {
      app = await buildTestApp({ config: { records: { types: TYPES } } });
    });
    afterAll(() => app.close());

    it('puts each field’s classification in the OpenAPI document', async () => {
      const document: unknown = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
      const found = new Map<string, Set<string>>();
      const walk = (node: unknown): void => {
        if (Array.isArray(node)) return node.forEach(walk);
        if (node === null || typeof node !== 'object') return;
        const properties = (node as { properties?: Record<string, { 'x-classification'?: string }> }).properties;
        for (const [name, schema] of Object.entries(properties ?? {})) {
          const label = schema['x-classification'];
          if (label !== undefined) found.set(name, (found.get(name) ?? new Set()).add(label));
        }
        Object.values(node).forEach(walk);
      };
      walk(document);
      const declared = Object.values(TYPES).flatMap((type) =>
        Object.entries(type.fields as Record<string, { classification: string }>).map(
          ([name, field]) => [name, [field.classification]] as const,
        ),
      );
      expect(Object.fromEntries([...found].map(([name, labels]) => [name, [...labels]]))).toEqual(Object.fromEntries(declared));
    });

    it('validates input against the declaration, naming the field with a JSON pointer', async () => {
      const patientId = await createAccount(app, ['patient']);
      const patient = await signedInDevice(app, patientId);
      const clinicianId = await createAccount(app, ['clinician']);
      await insertGrant(app, { patientId, granteeId: clinicianId, scope: 'write' });
      const clinician = await signedInDevice(app, clinicianId);
      const pointers = async (response: Promise<{ statusCode: number; json: () => unknown }>) => {
        const answer = await response;
        const problem = answer.json() as { code?: string; errors?: { pointer: string }[] };
        return [answer.statusCode, problem.code, (problem.errors ?? []).map((error) => error.pointer)];
      };
      const entries = `/v1/records/patients/${patientId}/entries`;
      expect(await pointers(patient.call('PUT', '/v1/accounts/me/profile', { fields: { born: '1980-02-30' } }))).toEqual([
        400,
        'REQUEST_INVALID',
        ['/body/fields/born'],
      ]);
      expect(await pointers(patient.call('PUT', '/v1/accounts/me/profile', { fields: { shoeSize: '42' } }))).toEqual([
        400,
        'REQUEST_INVALID',
        expect.arrayContaining([expect.stringMatching(/^\/body\/fields/)]),
      ]);
      const pulseTooHigh = await pointers(clinician.call('POST', entries, { type: 'vital-signs', fields: { pulse: 400 } }));
      expect(pulseTooHigh[0]).toBe(400);
      expect(pulseTooHigh[2]).toEqual(expect.arrayContaining([expect.stringMatching(/^\/body\/fields\/pulse$/)]));
      const remarkTooLong = await pointers(
        clinician.call('POST', entries, { type: 'vital-signs', fields: { pulse: 60, remark: 'x'.repeat(21) } }),
      );
      expect(remarkTooLong[2]).toEqual(expect.arrayContaining(['/body/fields/remark']));
      expect((await clinician.call('POST', entries, { type: 'vital-signs', fields: { pulse: 60, position: 'lying' } })).statusCode).toBe(
        201,
      );
    });
  });
});
