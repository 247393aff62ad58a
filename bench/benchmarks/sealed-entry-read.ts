/**
 * @module bench/benchmarks/sealed-entry-read
 *
 * What encrypting personal data per person costs a read. Both sides run the same app with one
 * extra declared entry type of ten `phi` text fields (about 100 characters each), and a
 * patient reads one such entry of their own file with `GET /v1/records/me/entries/:id` over a
 * DPoP-bound session, as the app does. The candidate is the production path: the ten values
 * are sealed with AES-256-GCM under the patient's data key, which the local key service
 * unwrapped once and the data-key cache holds, so each request opens ten values. The baseline
 * is the same route with the encryption switched off (`plaintextDataProtection`): the same
 * queries, visibility decisions and JSON, values stored as they are. The runner checks once per
 * sample that both sides return the same ten values.
 */
import { randomUUID } from 'node:crypto';
import type { App } from '@portcullis/server';
import { sealFields } from '../../packages/server/src/modules/records/stored-fields.js';
import type { Benchmark, HttpWorkload, WorkloadContext } from '../lib/types.ts';
import { plaintextDataProtection } from './support/plaintext-data-protection.ts';
import { createVerifiedAccount, signedInGetWorkload, startPortcullis, type TargetOptions } from './support/portcullis.ts';

const ENTRY_TYPE = 'bench-entry';
const FIELD_NAMES = Array.from({ length: 10 }, (_, n) => `field${n}`);

/** The clinic's profile plus a ten-field entry type (a replaced map must declare the profile). */
const RECORDS: NonNullable<TargetOptions['records']> = {
  types: {
    profile: {
      cardinality: 'one',
      description: 'What a person tells about themselves.',
      fields: { displayName: { type: 'text', minLength: 1, maxLength: 80, classification: 'public' } },
    },
    [ENTRY_TYPE]: {
      cardinality: 'many',
      description: 'A patient-file entry of ten free-text fields.',
      fields: Object.fromEntries(FIELD_NAMES.map((name) => [name, { type: 'text', maxLength: 2000, classification: 'phi' }])),
    },
  },
};

function valueOf(field: string): string {
  return `${field}: ${'Observation recorded at the visit, with dosage and follow-up. '.repeat(2).trim()}`;
}

/** Signs up the patient, then adds one entry to their file, sealed as the server seals it. */
async function patientWithEntry(app: App): Promise<Readonly<Record<string, string>>> {
  const fixture = await createVerifiedAccount(app);
  const { db } = app.portcullis.database;
  const patient = await db.selectFrom('accounts').select('id').orderBy('created_at', 'desc').executeTakeFirstOrThrow();
  const id = randomUUID();
  const values = Object.fromEntries(FIELD_NAMES.map((name) => [name, valueOf(name)]));
  const fields = await sealFields(values, () => 'phi', {
    dataProtection: app.portcullis.dataProtection,
    db,
    subjectId: patient.id,
    table: 'record_entries',
    rowId: id,
  });
  await db
    .insertInto('record_entries')
    .values({
      id,
      patient_account_id: patient.id,
      author_account_id: patient.id,
      type: ENTRY_TYPE,
      fields: JSON.stringify(fields),
      created_at: Date.now(),
    })
    .execute();
  return { ...fixture, entryId: id };
}

/** Reads the entry once, checks its ten values, then repeats exactly that response. */
async function readOwnEntry(context: WorkloadContext): Promise<HttpWorkload> {
  const entryId = context.fixture['entryId'];
  if (entryId === undefined) throw new Error('the target handed over no entry');
  const path = `/v1/records/me/entries/${entryId}`;
  const workload = await signedInGetWorkload(context, path);
  const response = await fetch(context.url + path, { headers: { authorization: workload.authorization, dpop: workload.nextProof() } });
  const body = await response.text();
  const { fields } = JSON.parse(body) as { fields?: Record<string, unknown> };
  for (const name of FIELD_NAMES) {
    if (fields?.[name] !== valueOf(name)) throw new Error(`the entry read back without its value of ${name} (${response.status})`);
  }
  return { ...workload, request: { ...workload.request, expectedBody: body } };
}

const side = (options: TargetOptions) => () => startPortcullis([], patientWithEntry, { records: RECORDS, ...options });

export const sealedEntryRead: Benchmark = {
  name: 'sealed-entry-read',
  description:
    'a patient reads a 10-field file entry (DPoP): fields sealed per person (AES-256-GCM, cached data key) vs. the same route with encryption off',
  target: 0.7,
  sides: {
    candidate: { kind: 'http', label: 'GET entry, sealed', setup: side({}), workload: readOwnEntry },
    baseline: {
      kind: 'http',
      label: 'GET entry, encryption off',
      setup: side({ dataProtection: plaintextDataProtection() }),
      workload: readOwnEntry,
    },
  },
};
