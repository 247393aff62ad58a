/**
 * @module modules/demo/seed
 *
 * `seedDemoClinic`: creates the demo clinic (clinic.ts) through the services real requests use —
 * accounts hashed by the deployment's password hasher and their addresses sealed, profiles and
 * file entries sealed under each person's own data key, grants checked against the grantee's
 * roles, and every step audited with the person it acts for as actor and `local` as network.
 * Then it stores the passwords (accounts-file.ts). Idempotent: when the demo patient already
 * exists, nothing is written and the stored accounts are returned.
 *
 * Staff get no second factor: their roles need a passkey (`mfa.requiredLevel`), so their first
 * sign-in opens a session that can only register one, as for every account. No messages are
 * written: end-to-end encryption needs each person's own device, so a conversation starts when
 * a patient opens Messages in the app.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ProfileUpdate, RecordDeclarations } from '@portcullis/protocol';
import type { Clock } from '../../platform/clock/clock.ts';
import { randomBase64Url } from '../../platform/crypto/index.ts';
import type { DataProtection } from '../../platform/data-protection/index.ts';
import type { Database } from '../../platform/db/index.ts';
import { createAuditor } from '../../platform/audit/auditor.ts';
import type { RolePermissions } from '../../platform/routes/permissions.ts';
import type { Principal } from '../../platform/routes/principal.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import { createPasswordHasher, createSeededAccount, findAccountIdByEmail, type PasswordHasher } from '../accounts/index.ts';
import type { Config } from '../../config/schema.ts';
import { createRolePermissions } from '../../platform/routes/permissions.ts';
import { addPatientEntry, createGrant, recordsService, replaceOwnProfile, type RecordsService } from '../records/index.ts';
import { DEMO_ENTRIES, DEMO_GRANTS, DEMO_PEOPLE, type DemoPerson } from './clinic.ts';
import { readDemoAccounts, writeDemoAccounts, type DemoAccount, type DemoAccounts } from './accounts-file.ts';

export interface DemoSeedDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly dataProtection: DataProtection;
  readonly hasher: PasswordHasher;
  /** `access.roles`. */
  readonly access: RolePermissions;
  /** `records.types`: only declared profile fields are written, and entries only if `file-entry` is declared. */
  readonly types: RecordDeclarations;
  /** Where `demo-accounts.json` is kept (`dataDir`). */
  readonly dataDir: string;
  readonly environment: 'development' | 'test' | 'production';
}

/** What the seed needs, from a running app's services (or the command line's) and the configuration. */
export async function demoSeedDepsFrom(
  services: Pick<DemoSeedDeps, 'db' | 'clock' | 'dataProtection'>,
  config: Pick<Config, 'passwords' | 'access' | 'records' | 'dataDir' | 'environment'>,
): Promise<DemoSeedDeps> {
  return {
    ...services,
    hasher: await createPasswordHasher({ config: config.passwords }),
    access: createRolePermissions(config.access.roles),
    types: config.records.types,
    dataDir: config.dataDir,
    environment: config.environment,
  };
}

/** The demo holds invented people with published passwords: never in a production deployment. */
export class DemoSeedRefusedError extends Error {
  override readonly name = 'DemoSeedRefusedError';
}

export interface DemoSeedResult extends DemoAccounts {
  /** `true` when this call created the clinic, `false` when it was already there. */
  readonly created: boolean;
}

/** 144 random bits, URL-safe: strong, and easy to copy from a terminal. */
const PASSWORD_BYTES = 18;

/** A context whose audit entries name `actor` (the person the step is done for) and no session. */
function actingAs(deps: DemoSeedDeps, actor: string | null, requestId: string): RequestContext {
  const audit = createAuditor(deps, () => ({ actor, session: null, requestId, ipPrefix: 'local' }));
  return { requestId, ipPrefix: 'local', audit };
}

function principalOf(deps: DemoSeedDeps, accountId: string, roles: readonly string[]): Principal {
  return { accountId, sessionId: 'demo-seed', aal: 'aal2_phr', amr: [], roles, permissions: deps.access.permissionsOf(roles) };
}

function declaredProfile(service: RecordsService, person: DemoPerson): ProfileUpdate {
  const declared = service.catalogue.profile.fields;
  const fields = Object.fromEntries(Object.entries(person.profile).filter(([name]) => name in declared));
  const sharing = Object.fromEntries(Object.entries(person.sharing).filter(([name]) => name in declared));
  return { fields, sharing };
}

async function createClinic(deps: DemoSeedDeps): Promise<DemoAccounts> {
  const requestId = randomUUID();
  const service = recordsService({
    db: deps.db,
    clock: deps.clock,
    dataProtection: deps.dataProtection,
    access: deps.access,
    types: deps.types,
  });
  const accounts: DemoAccount[] = [];
  const byKey = new Map<string, { person: DemoPerson; principal: Principal; context: RequestContext }>();
  for (const person of DEMO_PEOPLE) {
    const password = randomBase64Url(PASSWORD_BYTES);
    const accountId = await createSeededAccount(
      deps,
      { email: person.email, password, roles: [person.role] },
      actingAs(deps, null, requestId),
    );
    if (accountId === undefined) throw new TypeError(`demo seed: ${person.email} already exists`);
    accounts.push({ role: person.role, displayName: person.displayName, email: person.email, password, accountId });
    const principal = principalOf(deps, accountId, [person.role]);
    const context = actingAs(deps, accountId, requestId);
    byKey.set(person.key, { person, principal, context });
    const profile = declaredProfile(service, person);
    await replaceOwnProfile(service, principal, profile, context);
  }
  const actor = (key: string) => {
    const found = byKey.get(key);
    if (!found) throw new TypeError(`demo seed: no person ${key}`);
    return found;
  };
  for (const grant of DEMO_GRANTS) {
    const patient = actor(grant.patient);
    await createGrant(
      service,
      patient.principal,
      { granteeAccountId: actor(grant.clinician).principal.accountId, scope: grant.scope },
      patient.context,
    );
  }
  if ('file-entry' in deps.types) {
    for (const entry of DEMO_ENTRIES) {
      const author = actor(entry.author);
      await addPatientEntry(
        service,
        author.principal,
        actor(entry.patient).principal.accountId,
        { type: 'file-entry', fields: entry.fields },
        author.context,
      );
    }
  }
  return { seededAt: new Date(deps.clock.now()).toISOString(), accounts };
}

/**
 * Seeds the demo clinic once; later calls return the stored accounts. Refused in production.
 * Throws a `TypeError` when the demo accounts exist but their passwords file is gone (the
 * database outlived the data directory): the passwords cannot be shown again.
 */
export async function seedDemoClinic(deps: DemoSeedDeps): Promise<DemoSeedResult> {
  if (deps.environment === 'production') {
    throw new DemoSeedRefusedError('the demo clinic is refused in production: it holds invented people whose passwords are printed');
  }
  const [first] = DEMO_PEOPLE;
  if (first && (await findAccountIdByEmail(deps, first.email)) !== undefined) {
    const stored = readDemoAccounts(deps.dataDir);
    if (!stored)
      throw new TypeError('the demo clinic is already seeded, but its passwords file (demo-accounts.json) is missing from dataDir');
    return { ...stored, created: false };
  }
  const demo = await createClinic(deps);
  writeDemoAccounts(deps.dataDir, demo);
  return { ...demo, created: true };
}

/** The stored demo accounts, when the demo clinic is in this database; otherwise `undefined`. */
export async function seededDemoAccounts(deps: Pick<DemoSeedDeps, 'db' | 'dataProtection' | 'dataDir'>): Promise<DemoAccounts | undefined> {
  const stored = readDemoAccounts(deps.dataDir);
  const [first] = stored?.accounts ?? [];
  if (!stored || !first) return undefined;
  return (await findAccountIdByEmail(deps, first.email)) === first.accountId ? stored : undefined;
}
