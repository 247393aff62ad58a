/**
 * @module modules/records/visibility
 *
 * The one visibility policy: which classifications a viewer receives, from their relation to
 * the person the data is about. Everything else — what a response carries (view.ts), which
 * audiences a person may choose for their profile fields and what they start with — is derived
 * from `classificationsVisibleTo`, so the policy is stated once.
 *
 * | relation    | who                                                               | receives                     |
 * | ----------- | ----------------------------------------------------------------- | ---------------------------- |
 * | `self`      | the person                                                        | all four                     |
 * | `care_team` | a clinician holding an active read or write grant from the person | public, care_team, phi       |
 * | `support`   | staff helping with the account (`profiles:read_private`)          | public, private — never phi  |
 * | `auditor`, `admin`, `other` | anyone else signed in                             | public                       |
 */
import { CLASSIFICATIONS, type Classification } from '@portcullis/protocol';

export const RELATIONS = ['self', 'care_team', 'support', 'auditor', 'admin', 'other'] as const;
export type Relation = (typeof RELATIONS)[number];

const VISIBLE: Readonly<Record<Relation, ReadonlySet<Classification>>> = {
  self: new Set(CLASSIFICATIONS),
  care_team: new Set(['public', 'care_team', 'phi']),
  support: new Set(['public', 'private']),
  auditor: new Set(['public']),
  admin: new Set(['public']),
  other: new Set(['public']),
};

export function classificationsVisibleTo(relation: Relation): ReadonlySet<Classification> {
  return VISIBLE[relation];
}

/** The relations that receive values of `classification`. */
export function audienceOf(classification: Classification): ReadonlySet<Relation> {
  return new Set(RELATIONS.filter((relation) => VISIBLE[relation].has(classification)));
}

/**
 * The audiences a person may choose for a profile field declared `declared`: every
 * classification whose audience is within the declared one (narrower or equal). A field
 * declared `public` may be narrowed to anything; one declared `care_team` never reaches support.
 */
export function sharingChoices(declared: Classification): readonly Classification[] {
  const allowed = audienceOf(declared);
  return CLASSIFICATIONS.filter((choice) => [...audienceOf(choice)].every((relation) => allowed.has(relation)));
}

/**
 * What a profile field is shared as before the person chooses: `private`, unless `private`
 * would reach someone the declaration excludes (support, for a `care_team` or `phi` field) —
 * then the declared classification itself.
 */
export function defaultSharing(declared: Classification): Classification {
  return sharingChoices(declared).includes('private') ? 'private' : declared;
}
