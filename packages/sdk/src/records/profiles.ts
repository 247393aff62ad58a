/**
 * @module records/profiles
 *
 * The profile API: the signed-in person's own profile (every field, and who may see each),
 * someone else's profile as the caller's relation to them allows, and a preview of what the
 * public or the person's care team receives. Field values are personal data: the SDK never
 * logs them or puts them in an error message.
 */
import type { OwnProfile, PreviewAudience, Profile, ProfilePreview, ProfileUpdate } from '@portcullis/protocol';
import type { CoreClient } from '../core/core-client.ts';
import { assertInput, assertUuid } from '../core/json-request.ts';
import { engineOf } from '../core/session-engine.ts';
import { parseOwnProfile, parseProfile, parseProfilePreview } from './record-shapes.ts';

const PREVIEW_AUDIENCES: readonly string[] = ['public', 'care_team'] satisfies readonly PreviewAudience[];

/**
 * The signed-in person's profile: every field, `sharing` (who may see each field now) and
 * `updatedAt` (`null` before the first save).
 *
 * @example
 *   const { fields, sharing } = await getMyProfile(client);
 */
export async function getMyProfile(client: CoreClient): Promise<OwnProfile> {
  return engineOf(client).authorizedCall('GET', '/v1/accounts/me/profile', undefined, parseOwnProfile);
}

/**
 * Replaces the signed-in person's profile. `fields` holds every value to keep (a field left out
 * is removed); `sharing` changes who may see a field — the declared classification or narrower.
 * A field never chosen for stays `private` (or its declared classification, when `private`
 * would widen it).
 *
 * @example
 *   await updateMyProfile(client, { fields: { displayName: 'Ada' }, sharing: { displayName: 'public' } });
 * @throws {ApiError} `REQUEST_INVALID` with the pointer of each refused field (`/body/fields/phone`).
 */
export async function updateMyProfile(client: CoreClient, input: ProfileUpdate): Promise<OwnProfile> {
  assertInput(input, 'updateMyProfile');
  return engineOf(client).authorizedCall('PUT', '/v1/accounts/me/profile', input, parseOwnProfile);
}

/**
 * Someone's profile: only the fields the caller's relation to them allows (their care team
 * sees more than another patient).
 *
 * @throws {ApiError} `PROFILE_NOT_FOUND`.
 */
export async function getProfile(client: CoreClient, accountId: string): Promise<Profile> {
  assertUuid(accountId, 'getProfile expects an account id');
  return engineOf(client).authorizedCall('GET', `/v1/profiles/${accountId}`, undefined, parseProfile);
}

/**
 * Exactly what `audience` receives of the signed-in person's profile and patient file.
 *
 * @example
 *   const { profile, entries } = await previewMyData(client, 'care_team');
 */
export async function previewMyData(client: CoreClient, audience: PreviewAudience): Promise<ProfilePreview> {
  // Checked at run time too: a JavaScript caller's typo must not become a query the server refuses.
  if (!PREVIEW_AUDIENCES.includes(audience)) throw new TypeError('previewMyData expects "public" or "care_team"');
  return engineOf(client).authorizedCall('GET', `/v1/accounts/me/preview?as=${audience}`, undefined, parseProfilePreview);
}
