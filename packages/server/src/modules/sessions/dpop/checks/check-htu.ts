/**
 * @module modules/sessions/dpop/checks/check-htu
 *
 * RFC 9449 section 4.3 step 9: `htu` equals the request's target URI, ignoring query and
 * fragment, after the syntax- and scheme-based normalization the section recommends (see
 * `../htu.ts`). The expected value comes from the configured public URL, not the `Host` header.
 */
import { normalizeHtu } from '../htu.ts';
import { fail } from '../failures.ts';

/** @param expectedHtu Built with `buildHtu`, hence already normalized. */
export function checkHtu(claims: Readonly<Record<string, unknown>>, expectedHtu: string): void {
  const htu = claims['htu'];
  if (typeof htu !== 'string') fail('htu mismatch');
  // Fast path: a client that sends the normal form (ours does) costs one string comparison.
  if (htu !== expectedHtu && normalizeHtu(htu) !== expectedHtu) fail('htu mismatch');
}
