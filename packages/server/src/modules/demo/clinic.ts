/**
 * @module modules/demo/clinic
 *
 * Who is in the demo clinic and what their records hold: two patients, two clinicians, a support
 * agent, an administrator and an auditor, with profile values of every audience (Public, Care
 * team, Private), a few file entries and the patients' grants. Addresses use a reserved
 * test domain (`.test`, RFC 2606) so no mail can ever reach a real person. Nothing here is
 * secret: the passwords are drawn per seed (seed.ts).
 */
import type { Classification } from '@portcullis/protocol';

export const DEMO_EMAIL_DOMAIN = 'demo.portcullis.test';

/** The roles of the default `access.roles`, in the order the sign-in table lists them. */
export const DEMO_ROLES = ['patient', 'clinician', 'support', 'admin', 'auditor'] as const;
export type DemoRole = (typeof DEMO_ROLES)[number];

/** What each role can do in the app, in the words the printed table uses. */
export const DEMO_ROLE_ABILITIES: Readonly<Record<DemoRole, string>> = {
  patient: 'reads their own file, chooses who sees each profile field, grants and revokes clinicians, messages their clinicians',
  clinician: 'sees the patients who granted access, reads and adds file entries, messages those patients',
  support: 'looks up accounts with masked details and runs the help actions; sees no medical data and no messages',
  admin: 'searches accounts, locks and unlocks, signs out everywhere, resets second factors, manages roles and elevations',
  auditor: 'searches the audit log, reads signed checkpoints and verifies inclusion proofs',
};

export interface DemoPerson {
  /** Stable key within the seed (`patient-1`), used for grants and entries. */
  readonly key: string;
  readonly role: DemoRole;
  readonly displayName: string;
  readonly email: string;
  readonly profile: Readonly<Record<string, string>>;
  /** Who may see each profile field (the person's own choice; never wider than declared). */
  readonly sharing: Readonly<Record<string, Classification>>;
}

const person = (
  key: string,
  role: DemoRole,
  displayName: string,
  local: string,
  profile: Record<string, string>,
  sharing: Record<string, Classification>,
): DemoPerson => ({ key, role, displayName, email: `${local}@${DEMO_EMAIL_DOMAIN}`, profile: { displayName, ...profile }, sharing });

const STAFF_SHARING: Record<string, Classification> = { displayName: 'public', pronouns: 'public', phone: 'private' };

export const DEMO_PEOPLE: readonly DemoPerson[] = [
  person(
    'patient-1',
    'patient',
    'Alex Morgan',
    'alex.morgan',
    {
      pronouns: 'they/them',
      dateOfBirth: '1988-04-12',
      phone: '+15550100101',
      address: '12 Harbour Lane, Springfield',
      emergencyContact: 'Sam Morgan (partner), +15550100102',
    },
    {
      displayName: 'public',
      pronouns: 'public',
      dateOfBirth: 'private',
      phone: 'private',
      address: 'private',
      emergencyContact: 'care_team',
    },
  ),
  person(
    'patient-2',
    'patient',
    'Jordan Lee',
    'jordan.lee',
    { pronouns: 'she/her', dateOfBirth: '1975-11-03', phone: '+15550100201', emergencyContact: 'Chris Lee (brother), +15550100202' },
    // Jordan keeps her pronouns for her care team only.
    { displayName: 'public', pronouns: 'care_team', dateOfBirth: 'private', phone: 'private', emergencyContact: 'care_team' },
  ),
  person('clinician-1', 'clinician', 'Dr Priya Shah', 'priya.shah', { pronouns: 'she/her', phone: '+15550100301' }, STAFF_SHARING),
  person('clinician-2', 'clinician', 'Dr Tomás Rivera', 'tomas.rivera', { pronouns: 'he/him', phone: '+15550100401' }, STAFF_SHARING),
  person('support-1', 'support', 'Casey Brooks', 'casey.brooks', { phone: '+15550100501' }, STAFF_SHARING),
  person('admin-1', 'admin', 'Robin Fischer', 'robin.fischer', { pronouns: 'he/him' }, STAFF_SHARING),
  person('auditor-1', 'auditor', 'Morgan Adeyemi', 'morgan.adeyemi', {}, STAFF_SHARING),
];

/** Access each patient gives: `write` lets the clinician add entries, `read` only read them. */
export const DEMO_GRANTS: readonly { readonly patient: string; readonly clinician: string; readonly scope: 'read' | 'write' }[] = [
  { patient: 'patient-1', clinician: 'clinician-1', scope: 'write' },
  { patient: 'patient-1', clinician: 'clinician-2', scope: 'read' },
  { patient: 'patient-2', clinician: 'clinician-1', scope: 'write' },
  { patient: 'patient-2', clinician: 'clinician-2', scope: 'write' },
];

/** Entries of the `file-entry` type, each written by a clinician holding a `write` grant. */
export const DEMO_ENTRIES: readonly {
  readonly patient: string;
  readonly author: string;
  readonly fields: Readonly<Record<string, string>>;
}[] = [
  {
    patient: 'patient-1',
    author: 'clinician-1',
    fields: { kind: 'observation', note: 'Annual check-up: blood pressure 118/76, no concerns.' },
  },
  { patient: 'patient-1', author: 'clinician-1', fields: { kind: 'allergy', allergy: 'Penicillin (rash).' } },
  { patient: 'patient-2', author: 'clinician-1', fields: { kind: 'diagnosis', diagnosis: 'Mild intermittent asthma.' } },
  {
    patient: 'patient-2',
    author: 'clinician-2',
    fields: { kind: 'medication', medication: 'Salbutamol inhaler 100 µg, two puffs as needed.' },
  },
];
