/**
 * @module modules/sessions/dpop/checks/check-nonce
 *
 * RFC 9449 sections 8-9 and section 4.3 step 10: when server nonces are enabled, `nonce` must be
 * one the server issued for the current or previous window (`../nonce.ts`). Missing or stale ⇒
 * `use_dpop_nonce` with a fresh `DPoP-Nonce`, so the client retries once; a non-string `nonce`
 * is a malformed proof.
 */
import type { DPoPNonces } from '../nonce.ts';
import { fail } from '../failures.ts';

/** @param nonces Undefined when `sessions.dpop.nonce.enabled` is false; any `nonce` claim is then ignored. */
export function checkNonce(claims: Readonly<Record<string, unknown>>, nonces: DPoPNonces | undefined): void {
  if (nonces === undefined) return;
  const nonce = claims['nonce'];
  if (nonce === undefined) fail('nonce missing');
  if (typeof nonce !== 'string') fail('nonce malformed');
  if (!nonces.isValid(nonce)) fail('nonce stale or unknown');
}
