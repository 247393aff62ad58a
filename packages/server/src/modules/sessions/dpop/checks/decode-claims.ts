/**
 * @module modules/sessions/dpop/checks/decode-claims
 *
 * The proof's claims, decoded only after the signature has been verified: the payload must be a
 * JSON object (RFC 7519 section 7.2 step 10). Each claim is then checked by its own step.
 */
import { fail } from '../failures.ts';
import { decodeJsonObject, type ParsedProof } from './parse-proof.ts';

export function decodeClaims(proof: ParsedProof): Readonly<Record<string, unknown>> {
  const claims = decodeJsonObject(proof.payloadSegment);
  if (claims === undefined) fail('payload is not a JSON object');
  return claims;
}
