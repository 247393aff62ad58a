/**
 * @module modules/sessions/dpop/checks/check-htm
 *
 * RFC 9449 section 4.3 step 8: `htm` equals the request method. Methods are case-sensitive
 * (RFC 9110 section 9.1), so the comparison is exact.
 */
import { fail } from '../failures.ts';

export function checkHtm(claims: Readonly<Record<string, unknown>>, method: string): void {
  if (claims['htm'] !== method) fail('htm mismatch');
}
