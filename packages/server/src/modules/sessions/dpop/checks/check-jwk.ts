/**
 * @module modules/sessions/dpop/checks/check-jwk
 *
 * RFC 9449 section 4.3 step 7 (and 4.2 `jwk`): the header carries a public key, with no private
 * member, of a supported type, and of the type `alg` names (ES256 ⇒ EC P-256, EdDSA ⇒ OKP
 * Ed25519), so one key can never be verified under two algorithms. The key is self-asserted by
 * design: trust comes later, from comparing its thumbprint with the token's bound `jkt`
 * (ASVS V9.1.3). `jku`, `x5u` and `kid` are never dereferenced.
 */
import { JwkError, importPublicJwk, type ImportedJwk, type JwsAlgorithm, type PublicKeyCache } from '../../../../platform/crypto/jwk.ts';
import { fail, type DPoPInvalidReason } from '../failures.ts';

const REASONS: Readonly<Record<JwkError['reason'], DPoPInvalidReason>> = {
  'not-an-object': 'jwk malformed',
  malformed: 'jwk malformed',
  'private-key': 'jwk contains a private key',
  'unsupported-key-type': 'jwk key type not supported',
};

export function checkJwk(header: Readonly<Record<string, unknown>>, alg: JwsAlgorithm, cache: PublicKeyCache | undefined): ImportedJwk {
  const jwk = header['jwk'];
  if (jwk === undefined) fail('jwk missing');
  let imported: ImportedJwk;
  try {
    imported = importPublicJwk(jwk, cache === undefined ? {} : { cache });
  } catch (error) {
    if (error instanceof JwkError) fail(REASONS[error.reason]);
    throw error;
  }
  if (imported.alg !== alg) fail('jwk does not match alg');
  return imported;
}
