/**
 * @module pages/privacy/profile-fields
 *
 * How the profile's fields are named on screen. The server declares the fields (the own profile
 * lists every one in `sharing`); the clinic's are worded here, and a field this app does not
 * know is named from its key, so a deployment's own fields still show.
 */
import type { Classification } from '@portcullis/protocol';

interface FieldWords {
  readonly label: string;
  readonly hint?: string;
  readonly multiline?: boolean;
}

const KNOWN: Readonly<Record<string, FieldWords>> = {
  displayName: { label: 'Display name', hint: 'The name others see.' },
  pronouns: { label: 'Pronouns', hint: 'For example “she/her” or “they/them”.' },
  dateOfBirth: { label: 'Date of birth', hint: 'As year-month-day, for example 1990-04-23.' },
  phone: { label: 'Phone', hint: 'With the country code and no spaces, for example +15550100.' },
  address: { label: 'Address', multiline: true },
  emergencyContact: { label: 'Emergency contact', hint: 'Who your care team should call in an emergency.', multiline: true },
};

/** `dateOfBirth` → "Date of birth" for fields this app has no words for. */
function fromKey(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function fieldWords(key: string): FieldWords {
  return Object.hasOwn(KNOWN, key) ? (KNOWN[key] as FieldWords) : { label: fromKey(key) };
}

/** The known fields first, in the clinic's order, then any others by name. */
export function fieldOrder(keys: readonly string[]): string[] {
  const known = Object.keys(KNOWN);
  const rank = (key: string): number => (known.includes(key) ? known.indexOf(key) : known.length);
  return [...keys].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** The audiences offered for a field, widest first. The server refuses one wider than the field allows. */
export const SHARING_CHOICES: readonly Classification[] = ['public', 'care_team', 'phi', 'private'];

/** A value as text; the profile holds text, numbers and yes/no. */
export function valueText(value: string | number | boolean | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  return String(value);
}
