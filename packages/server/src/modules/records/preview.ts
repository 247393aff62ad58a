/**
 * @module modules/records/preview
 *
 * "What does my care team see?": the caller's own profile and patient file exactly as an
 * audience receives them, through the same `viewOf` as every real response. `public` is the
 * relation of someone with none to the person (`other`); `care_team` a clinician holding a
 * grant. The patient file reaches only the care team (through grants, scope.ts), so the public
 * preview holds none of it.
 */
import type { PreviewAudience, ProfilePreview } from '@portcullis/protocol';
import type { Principal } from '../../platform/routes/principal.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import type { RecordsService } from './deps.ts';
import { profileAs } from './profiles.ts';
import { entryAs, visibleEntries } from './service.ts';
import type { Relation } from './visibility.ts';

const RELATION_OF: Readonly<Record<PreviewAudience, Relation>> = { public: 'other', care_team: 'care_team' };

export async function previewOwnData(
  service: RecordsService,
  principal: Principal,
  audience: PreviewAudience,
  context: RequestContext,
): Promise<ProfilePreview> {
  const me = principal.accountId;
  const relation = RELATION_OF[audience];
  const profile = (await profileAs(service, service.db, me, relation)) ?? { accountId: me, fields: {} };
  const rows = audience === 'care_team' ? await visibleEntries(service, principal, me) : [];
  const entries = await Promise.all(rows.map((row) => entryAs(service, service.db, row, relation)));
  await context.audit('profile.read', { subject: me, detail: `preview_${audience}` });
  return { as: audience, profile, entries };
}
