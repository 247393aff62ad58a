/**
 * @module modules/sessions/dpop/checks/check-alg
 *
 * RFC 9449 section 4.3 step 5: `alg` is an asymmetric algorithm on our allow-list (ES256, EdDSA).
 * `none`, every HMAC (which would let the public key in the header act as the secret), RSA and
 * anything unknown are refused before any key is touched (RFC 8725 section 3.1; ASVS V9.1.2).
 */
import { DPOP_ALGORITHMS } from '@portcullis/protocol';
import type { JwsAlgorithm } from '../../../../platform/crypto/jwk.ts';
import { fail } from '../failures.ts';

const ALLOWED: ReadonlySet<unknown> = new Set<string>(DPOP_ALGORITHMS);

export function checkAlg(header: Readonly<Record<string, unknown>>): JwsAlgorithm {
  const alg = header['alg'];
  if (!ALLOWED.has(alg)) fail('alg not allowed');
  return alg as JwsAlgorithm;
}
