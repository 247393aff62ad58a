/**
 * @module classification
 *
 * Who may see a declared field. Every field of a record type carries one classification; the
 * server's one visibility function maps the viewer's relation to the subject (self, care team,
 * support, anyone else) onto the classifications they receive, and nothing else leaves it.
 *
 * - `public`: anyone signed in may see it (a display name).
 * - `care_team`: the person and clinicians they granted access to their file (an emergency contact).
 * - `private`: the person, and support staff helping them with their account (date of birth, phone, address).
 * - `phi`: protected health information: the person and their care team only, never support.
 */
import Type from 'typebox';

/** The classifications, from the widest audience to the most sensitive content. */
export const CLASSIFICATIONS = ['public', 'care_team', 'private', 'phi'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

/** The OpenAPI extension naming a declared field's classification on its schema. */
export const CLASSIFICATION_KEYWORD = 'x-classification';

export const ClassificationSchema = Type.Enum(CLASSIFICATIONS, {
  description:
    'Who may see the field: `public` anyone signed in; `care_team` the person and clinicians they granted access; `private` the person and support staff helping with the account; `phi` (health information) the person and their care team only.',
});

export function isClassification(value: unknown): value is Classification {
  return typeof value === 'string' && (CLASSIFICATIONS as readonly string[]).includes(value);
}
