/**
 * @module modules/records/profiles
 *
 * The person's profile: the one record of the declared `profile` type. The person reads and
 * replaces it whole and chooses, per field, who may see it (`sharing`): the declared
 * classification or a narrower audience (visibility.ts `sharingChoices`); a field they have not
 * chosen for is shared as `defaultSharing` — `private` unless that would widen the audience. The
 * choice in force is the field's classification for everyone else, and decides how it is stored:
 * only a value shared as `public` is kept in clear, every other one is sealed for the person.
 * Others receive what their relation allows (relation.ts, view.ts). Reads by anyone and every
 * change are audited with identifiers only.
 */
import type { Classification, OwnProfile, Profile, ProfileUpdate, RecordTypeDeclaration } from '@portcullis/protocol';
import type { ProfilesTable } from '../../platform/db/schema.ts';
import { withTransaction } from '../../platform/db/index.ts';
import type { DataDb } from '../../platform/data-protection/index.ts';
import { appError } from '../../platform/errors/app-error.ts';
import type { Principal } from '../../platform/routes/principal.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import type { FieldService, RecordsService } from './deps.ts';
import { deleteProfileRow, readProfileRow, writeProfileRow } from './profile-store.ts';
import { PROFILE_PERMISSIONS, relationOf } from './relation.ts';
import { parseStoredFields, sealFields, type FieldHome } from './stored-fields.ts';
import { viewOf } from './view.ts';
import { defaultSharing, sharingChoices, type Relation } from './visibility.ts';

type Sharing = Readonly<Record<string, Classification>>;

/** The audience in force for every declared field: the person's choice while the declaration still allows it, else the default. */
export function sharingInForce(profile: RecordTypeDeclaration, chosen: Sharing): Record<string, Classification> {
  return Object.fromEntries(
    Object.entries(profile.fields).map(([name, field]) => {
      const choice = Object.hasOwn(chosen, name) ? chosen[name] : undefined;
      return [
        name,
        choice !== undefined && sharingChoices(field.classification).includes(choice) ? choice : defaultSharing(field.classification),
      ];
    }),
  );
}

/** The profile declaration with each field classified as the person shares it. */
function asShared(profile: RecordTypeDeclaration, sharing: Sharing): RecordTypeDeclaration {
  return {
    ...profile,
    fields: Object.fromEntries(
      Object.entries(profile.fields).map(([name, field]) => [name, { ...field, classification: sharing[name] ?? field.classification }]),
    ),
  };
}

function homeOf(service: FieldService, db: DataDb, accountId: string): FieldHome {
  return { dataProtection: service.dataProtection, db, subjectId: accountId, table: 'profiles', rowId: accountId };
}

const chosenSharing = (row: ProfilesTable | undefined): Sharing => (row ? (JSON.parse(row.sharing) as Sharing) : {});

/** `accountId`'s profile as `relation` sees it; `undefined` when they have none. */
export async function profileAs(service: FieldService, db: DataDb, accountId: string, relation: Relation): Promise<Profile | undefined> {
  const row = await readProfileRow(db, accountId);
  if (!row) return undefined;
  const sharing = sharingInForce(service.catalogue.profile, chosenSharing(row));
  const fields = await viewOf(
    asShared(service.catalogue.profile, sharing),
    parseStoredFields(row.fields),
    relation,
    homeOf(service, db, accountId),
  );
  return { accountId, fields };
}

export async function ownProfile(service: FieldService, db: DataDb, accountId: string): Promise<OwnProfile> {
  const row = await readProfileRow(db, accountId);
  const sharing = sharingInForce(service.catalogue.profile, chosenSharing(row));
  const fields = row
    ? await viewOf(asShared(service.catalogue.profile, sharing), parseStoredFields(row.fields), 'self', homeOf(service, db, accountId))
    : {};
  return { accountId, fields, sharing, updatedAt: row ? new Date(row.updated_at).toISOString() : null };
}

export async function readOwnProfile(service: RecordsService, principal: Principal, context: RequestContext): Promise<OwnProfile> {
  const profile = await ownProfile(service, service.db, principal.accountId);
  await context.audit('profile.read', { subject: principal.accountId, detail: 'self' });
  return profile;
}

/**
 * Replaces the caller's profile. Sharing choices are kept per field until changed; the request
 * schema already refused a choice wider than the declaration.
 */
export async function replaceOwnProfile(
  service: RecordsService,
  principal: Principal,
  input: ProfileUpdate,
  context: RequestContext,
): Promise<OwnProfile> {
  const me = principal.accountId;
  return withTransaction(service.db, async (tx) => {
    const current = await readProfileRow(tx, me);
    const chosen = { ...chosenSharing(current), ...input.sharing };
    const sharing = sharingInForce(service.catalogue.profile, chosen);
    const fields = await sealFields(input.fields, (field) => sharing[field] ?? 'phi', homeOf(service, tx, me));
    await writeProfileRow(tx, {
      account_id: me,
      fields: JSON.stringify(fields),
      sharing: JSON.stringify(chosen),
      updated_at: service.clock.now(),
    });
    await context.audit('profile.updated', { subject: me, detail: current ? 'replaced' : 'created' }, tx);
    return ownProfile(service, tx, me);
  });
}

/** Someone's profile as the caller's relation to them allows (`profiles:read`). */
export async function readProfile(
  service: RecordsService,
  principal: Principal,
  accountId: string,
  context: RequestContext,
): Promise<Profile> {
  // Checked again here, as scope.ts does, so a route declared with the wrong permission still shows nothing.
  if (!principal.permissions.has(PROFILE_PERMISSIONS.read) && principal.accountId !== accountId) {
    throw appError('PROFILE_NOT_FOUND', { detail: 'the principal lacks profiles:read' });
  }
  const relation = await relationOf(service.db, principal, accountId);
  const profile = await profileAs(service, service.db, accountId, relation);
  if (!profile) throw appError('PROFILE_NOT_FOUND', { detail: 'no profile for this account' });
  await context.audit('profile.read', { subject: accountId, detail: relation });
  return profile;
}

/** Deletes the person's profile (erasure). */
export function deleteProfile(db: DataDb, accountId: string): Promise<boolean> {
  return deleteProfileRow(db, accountId);
}
