/**
 * @module test-support/records-world
 *
 * A small clinic for authorization tests: one account per role, patients who granted (or never
 * granted, or revoked) access to their file, entries in every file, and DPoP sessions minted
 * through the sessions module's `issueSession` (the one session door) at `aal2_phr`, so the MFA
 * policy of staff roles does not stand between a test and the rule it checks. Accounts and grant
 * rows are written straight to the database (test setup); entries are added through the API by a
 * clinician holding write grants, so fields are sealed exactly as in production.
 */
import { insertAccountRow } from './account-rows.ts';
import { randomUUID } from 'node:crypto';
import type { App } from '../app.ts';
import { authenticateAccessToken, issueSession } from '../modules/sessions/index.ts';
import type { Authenticator } from '../platform/routes/authentication.ts';
import type { RolePermissions } from '../platform/routes/permissions.ts';
import type { Principal } from '../platform/routes/principal.ts';
import { TestDevice } from './dpop-client.ts';
import { testRequestContext } from './request-context.ts';

export const CLINIC_ROLES = ['patient', 'clinician', 'support', 'admin', 'auditor'] as const;
export type ClinicRole = (typeof CLINIC_ROLES)[number];

export async function createAccount(app: App, roles: readonly string[]): Promise<string> {
  const id = randomUUID();
  const now = app.portcullis.clock.now();
  await insertAccountRow(app, {
    id,
    email: `${id}@clinic.test`,
    email_verified_at: now,
    password_hash: null,
    password_changed_at: null,
    roles: JSON.stringify(roles),
    status: 'active',
    created_at: now,
    updated_at: now,
  });
  return id;
}

/** A device holding a fresh `aal2_phr` session of `accountId`. */
export async function signedInDevice(app: App, accountId: string): Promise<TestDevice> {
  const device = new TestDevice(app);
  device.tokens = await issueSession(
    app.portcullis.sessions,
    { accountId, aal: 'aal2_phr', amr: ['hwk', 'user'], jkt: device.key.jkt, device: { label: 'Clinic test', platform: 'ios' } },
    testRequestContext(app.portcullis.sessions, 'test-setup'),
  );
  return device;
}

export async function insertGrant(
  app: App,
  grant: { patientId: string; granteeId: string; scope: 'read' | 'write'; revoked?: boolean },
): Promise<string> {
  const id = randomUUID();
  const now = app.portcullis.clock.now();
  await app.portcullis.database.db
    .insertInto('record_grants')
    .values({
      id,
      patient_account_id: grant.patientId,
      grantee_account_id: grant.granteeId,
      scope: grant.scope,
      created_at: now,
      revoked_at: grant.revoked === true ? now : null,
    })
    .execute();
  return id;
}

/** Adds a `file-entry` note with `note` as its text. */
export async function addEntryAs(device: TestDevice, patientId: string, note: string): Promise<string> {
  const response = await device.call('POST', `/v1/records/patients/${patientId}/entries`, {
    type: 'file-entry',
    fields: { kind: 'note', note },
  });
  if (response.statusCode !== 201) throw new Error(`adding an entry failed: ${response.statusCode} ${response.body}`);
  return response.json<{ id: string }>().id;
}

/** Saves the device's account's profile (the values; sharing as given, else the defaults). */
export async function saveProfile(
  device: TestDevice,
  fields: Record<string, string | number | boolean>,
  sharing?: Record<string, string>,
): Promise<void> {
  const response = await device.call('PUT', '/v1/accounts/me/profile', { fields, ...(sharing ? { sharing } : {}) });
  if (response.statusCode !== 200) throw new Error(`saving a profile failed: ${response.statusCode} ${response.body}`);
}

/** Whose file a request targets, relative to the caller. */
export const SITUATIONS = ['own', 'granted', 'not granted', 'revoked grant'] as const;
export type Situation = (typeof SITUATIONS)[number];

export interface FileTarget {
  readonly patientId: string;
  readonly entryId: string;
  /** A grant of this file's patient that is in force now (created on demand, so revoking it harms no other case). */
  freshGrantId(): Promise<string>;
}

export interface Actor {
  readonly role: ClinicRole;
  readonly accountId: string;
  readonly device: TestDevice;
}

export interface ClinicWorld {
  readonly actors: Readonly<Record<ClinicRole, Actor>>;
  /** A clinician outside the matrix who holds write grants for every file (used to seed entries). */
  readonly scribeId: string;
  target(actor: Actor, situation: Situation): FileTarget;
  /** Ids that must never appear in a response to `actor` (entries and patients it may not see). */
  foreignIds(actor: Actor, readable: { own: boolean; granted: boolean }): string[];
}

export async function buildClinicWorld(app: App): Promise<ClinicWorld> {
  const scribeId = await createAccount(app, ['clinician']);
  const scribe = await signedInDevice(app, scribeId);
  const files = new Map<string, string>(); // patient id → entry id
  const seedFile = async (patientId: string): Promise<void> => {
    await insertGrant(app, { patientId, granteeId: scribeId, scope: 'write' });
    files.set(patientId, await addEntryAs(scribe, patientId, `entry in the file of ${patientId}`));
  };

  const actors = {} as Record<ClinicRole, Actor>;
  for (const role of CLINIC_ROLES) {
    const accountId = await createAccount(app, [role]);
    actors[role] = { role, accountId, device: await signedInDevice(app, accountId) };
    await seedFile(accountId);
    await saveProfile(actors[role].device, { displayName: `The ${role}` });
  }
  const granting = await createAccount(app, ['patient']);
  const notGranting = await createAccount(app, ['patient']);
  const revoking = await createAccount(app, ['patient']);
  for (const patientId of [granting, notGranting, revoking]) await seedFile(patientId);
  // Grant rows exist for every role, even those no patient could grant through the API (a
  // clinician later moved to support keeps their old grants): permissions must still decide.
  for (const actor of Object.values(actors)) {
    await insertGrant(app, { patientId: granting, granteeId: actor.accountId, scope: 'write' });
    await insertGrant(app, { patientId: revoking, granteeId: actor.accountId, scope: 'write', revoked: true });
  }

  const fileOf = (patientId: string): FileTarget => ({
    patientId,
    entryId: files.get(patientId) ?? '',
    freshGrantId: async () => insertGrant(app, { patientId, granteeId: scribeId, scope: 'read' }),
  });
  return {
    actors,
    scribeId,
    target: (actor, situation) => {
      switch (situation) {
        case 'own':
          return fileOf(actor.accountId);
        case 'granted':
          return fileOf(granting);
        case 'not granted':
          return fileOf(notGranting);
        case 'revoked grant':
          return fileOf(revoking);
      }
    },
    foreignIds: (actor, readable) => [
      ...[...files.entries()]
        .filter(([patientId]) => !((readable.own && patientId === actor.accountId) || (readable.granted && patientId === granting)))
        .map(([, entryId]) => entryId),
      notGranting,
      revoking,
    ],
  };
}

/**
 * An authenticator for mutation tests: the real session lookup (`Authorization: Matrix <access
 * token>`, no DPoP), whose principal answers `true` to the first permission question of each
 * request — the route contract's check — and the truth afterwards. It is the server with every
 * route's permission check removed and nothing else changed.
 */
export function routeCheckRemovedAuthenticator(app: () => App, access: RolePermissions): Authenticator {
  return {
    authenticate: async (request) => {
      const [scheme, token] = (request.headers.authorization ?? '').split(' ');
      // `DPoP` (setup requests; the proof is not checked here) keeps every check; `Matrix` loses the route's.
      if ((scheme !== 'Matrix' && scheme !== 'DPoP') || token === undefined) return null;
      const found = await authenticateAccessToken(app().portcullis.sessions, token);
      if (!found) return null;
      const real = access.permissionsOf(found.roles);
      let asked = scheme === 'DPoP';
      const permissions: ReadonlySet<string> = Object.assign(Object.create(real) as ReadonlySet<string>, {
        has: (permission: string) => {
          if (!asked) {
            asked = true;
            return true;
          }
          return real.has(permission);
        },
      });
      const principal: Principal = {
        accountId: found.session.account_id,
        sessionId: found.session.id,
        aal: found.session.aal as Principal['aal'],
        amr: JSON.parse(found.session.amr) as string[],
        authTime: found.session.auth_time,
        roles: found.roles,
        permissions,
      };
      return principal;
    },
  };
}
