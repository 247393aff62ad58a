/**
 * @module modules/sessions/dpop/checks/check-crit
 *
 * RFC 7515 section 4.1.11: a recipient must refuse a JWS whose `crit` names extensions it does
 * not implement. We implement none (in particular not RFC 7797 `b64: false`, which would change
 * what the signature covers), so any `crit` is refused.
 */
import { fail } from '../failures.ts';

export function checkCrit(header: Readonly<Record<string, unknown>>): void {
  if (Object.hasOwn(header, 'crit')) fail('crit not supported');
}
