/**
 * Labels drive what each viewer gets, on every route. A patient's profile and file hold one
 * unique value per classification; every viewer — the patient, a clinician they granted, a
 * clinician they did not, another patient, support, an auditor, an admin — then calls every
 * `GET` route of the OpenAPI document with the patient's ids filled in. No response may carry
 * a value whose classification the viewer's relation does not receive (visibility.ts), and the
 * routes that serve the data do carry the values it does receive, so the walk cannot pass by
 * serving nothing.
 */
import { randomBytes } from 'node:crypto';
import type { Classification } from '@portcullis/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../app.ts';
import { buildTestApp } from '../../test-support/build-test-app.ts';
import { testDatabases } from '../../test-support/databases.ts';
import type { TestDevice } from '../../test-support/dpop-client.ts';
import { addEntryAs, createAccount, insertGrant, saveProfile, signedInDevice } from '../../test-support/records-world.ts';
import { RELATIONS, classificationsVisibleTo, type Relation } from './visibility.ts';

const marker = (label: string) => `${label}-${randomBytes(6).toString('hex')}`;

/** The patient's values, each labelled with the classification it is stored under. */
const VALUES = {
  displayName: { value: marker('public'), classification: 'public' },
  pronouns: { value: marker('private-by-default'), classification: 'private' },
  address: { value: marker('private'), classification: 'private' },
  emergencyContact: { value: marker('care-team'), classification: 'care_team' },
} as const satisfies Record<string, { value: string; classification: Classification }>;
const NOTE = marker('phi');

interface Viewer {
  readonly name: string;
  readonly relation: Relation;
  device: TestDevice;
}

function valuesOf(classifications: ReadonlySet<Classification>): string[] {
  const profile = Object.values(VALUES)
    .filter((entry) => classifications.has(entry.classification))
    .map((entry) => entry.value);
  return classifications.has('phi') ? [...profile, NOTE] : profile;
}

const ALL_VALUES = valuesOf(new Set(['public', 'private', 'care_team', 'phi']));

/** The policy as the product promises it (docs/records.md), stated here so the test does not trust visibility.ts. */
const RECEIVES: Readonly<Record<Relation, ReadonlySet<Classification>>> = {
  self: new Set(['public', 'care_team', 'private', 'phi']),
  care_team: new Set(['public', 'care_team', 'phi']),
  support: new Set(['public', 'private']),
  auditor: new Set(['public']),
  admin: new Set(['public']),
  other: new Set(['public']),
};

describe.each(testDatabases())('V8.2.2 V14.2.6: viewer × classification × route on $dialect', ({ dialect }) => {
  let app: App;
  let patientId: string;
  let entryId: string;
  const viewers: Viewer[] = [];
  let getPaths: string[] = [];

  beforeAll(async () => {
    app = await buildTestApp({ dialect });
    patientId = await createAccount(app, ['patient']);
    const patient = await signedInDevice(app, patientId);
    await saveProfile(
      patient,
      Object.fromEntries(Object.entries(VALUES).map(([field, { value }]) => [field, value])),
      { displayName: 'public', address: 'private', emergencyContact: 'care_team' }, // pronouns: left to the default
    );
    const grantedId = await createAccount(app, ['clinician']);
    await insertGrant(app, { patientId, granteeId: grantedId, scope: 'write' });
    const granted = await signedInDevice(app, grantedId);
    entryId = await addEntryAs(granted, patientId, NOTE);
    const staff = async (role: string) => signedInDevice(app, await createAccount(app, [role]));
    viewers.push(
      { name: 'the patient', relation: 'self', device: patient },
      { name: 'a clinician with a grant', relation: 'care_team', device: granted },
      { name: 'a clinician without a grant', relation: 'other', device: await staff('clinician') },
      { name: 'another patient', relation: 'other', device: await staff('patient') },
      { name: 'support', relation: 'support', device: await staff('support') },
      { name: 'an auditor', relation: 'auditor', device: await staff('auditor') },
      { name: 'an admin', relation: 'admin', device: await staff('admin') },
    );
    const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, Record<string, unknown>> }>();
    getPaths = Object.entries(document.paths)
      .filter(([, operations]) => 'get' in operations)
      .map(([route]) => route);
  });
  afterAll(() => app.close());

  /** The route with the patient's ids in place of its parameters (any other parameter gets a fresh id). */
  function concrete(route: string): string {
    return route.replace(/\{(\w+)\}/g, (_, name: string) => {
      if (/^(accountId|patientId|subjectId|id)$/.test(name)) return patientId;
      if (name === 'entryId') return entryId;
      return crypto.randomUUID();
    });
  }

  /** Every GET route's answer to `viewer`, with the preview asked for both audiences. */
  async function walk(viewer: Viewer): Promise<{ route: string; body: string }[]> {
    const answers: { route: string; body: string }[] = [];
    for (const route of getPaths) {
      const urls = route === '/v1/accounts/me/preview' ? [`${route}?as=public`, `${route}?as=care_team`] : [concrete(route)];
      for (const url of urls) answers.push({ route: url, body: (await viewer.device.call('GET', url)).body });
    }
    return answers;
  }

  it('visibility.ts states the promised policy', () => {
    for (const relation of RELATIONS) expect([...classificationsVisibleTo(relation)].sort()).toEqual([...RECEIVES[relation]].sort());
  });

  it('walks a real API: dozens of GET routes, the data routes among them', () => {
    expect(getPaths.length).toBeGreaterThan(20);
    expect(getPaths).toEqual(
      expect.arrayContaining(['/v1/profiles/{accountId}', '/v1/records/me/entries', '/v1/records/patients/{patientId}/entries']),
    );
  });

  // The auditor's default role holds no `profiles:read`: they receive nothing of the profile at all.
  it.each([
    ['a clinician with a grant', 'care_team', true],
    ['a clinician without a grant', 'other', true],
    ['another patient', 'other', true],
    ['support', 'support', true],
    ['an auditor', 'auditor', false],
    ['an admin', 'admin', true],
  ] as const)('%s receives only what the %s relation allows, on every route', async (name, relation, readsProfiles) => {
    const viewer = viewers.find((candidate) => candidate.name === name)!;
    const allowed = valuesOf(RECEIVES[relation]);
    const forbidden = ALL_VALUES.filter((value) => !allowed.includes(value));
    const answers = await walk(viewer);
    const leaks = answers.flatMap(({ route, body }) =>
      forbidden.filter((value) => body.includes(value)).map((value) => `${route}: ${value}`),
    );
    expect(leaks).toEqual([]);
    // What the relation allows does arrive, through the profile (and for the care team, the file).
    const received = answers.map(({ body }) => body).join('\n');
    const arrived = ALL_VALUES.filter((value) => received.includes(value));
    expect(arrived.sort()).toEqual(readsProfiles ? allowed.sort() : []);
  });

  it('V14.2.6: support never receives care_team or phi values', async () => {
    const support = viewers.find((viewer) => viewer.relation === 'support')!;
    const received = (await walk(support)).map(({ body }) => body).join('\n');
    expect([VALUES.emergencyContact.value, NOTE].filter((value) => received.includes(value))).toEqual([]);
  });

  it('the patient receives everything, and the preview shows exactly what each audience sees', async () => {
    const patient = viewers.find((viewer) => viewer.relation === 'self')!;
    const received = (await walk(patient)).map(({ body }) => body).join('\n');
    expect(ALL_VALUES.filter((value) => !received.includes(value))).toEqual([]);
    for (const [audience, relation] of [
      ['public', 'other'],
      ['care_team', 'care_team'],
    ] as const) {
      const body = (await patient.device.call('GET', `/v1/accounts/me/preview?as=${audience}`)).body;
      const expected = valuesOf(RECEIVES[relation]);
      expect(ALL_VALUES.filter((value) => body.includes(value)).sort()).toEqual(expected.sort());
    }
  });
});
