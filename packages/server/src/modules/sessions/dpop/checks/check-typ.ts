/**
 * @module modules/sessions/dpop/checks/check-typ
 *
 * RFC 9449 section 4.3 step 4: `typ` is exactly `dpop+jwt`. Explicit typing keeps any other JWT
 * the client's key signs (an ID token, a client assertion) from being accepted as a proof
 * (RFC 8725 section 3.11; ASVS V9.2.2).
 */
import { fail } from '../failures.ts';

export function checkTyp(header: Readonly<Record<string, unknown>>): void {
  if (header['typ'] !== 'dpop+jwt') fail('typ is not dpop+jwt');
}
