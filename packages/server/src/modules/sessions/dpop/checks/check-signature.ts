/**
 * @module modules/sessions/dpop/checks/check-signature
 *
 * RFC 9449 section 4.3 step 6: the JWS signature verifies under the key in the `jwk` header
 * (RFC 7515 section 5.2 step 8). Nothing in the payload is read before this passes (ASVS V9.1.1).
 */
import { verifyJwsSignature, type ImportedJwk } from '../../../../platform/crypto/jwk.ts';
import { fail } from '../failures.ts';
import type { ParsedProof } from './parse-proof.ts';

export async function checkSignature(proof: ParsedProof, jwk: ImportedJwk): Promise<void> {
  if (!(await verifyJwsSignature(jwk.alg, jwk.key, proof.signingInput, proof.signature))) fail('signature invalid');
}
