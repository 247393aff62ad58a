/**
 * @module modules/federation/web/flow-secrets
 *
 * The PKCE code verifier and OIDC nonce of a web flow are derived from its `state` with HMAC
 * under a key from the key ring, instead of being stored: the flow row holds only SHA-256 of
 * the state, so a copy of the database does not let anyone finish a flow in progress. Each
 * value is 256 bits of keyed PRF output, unguessable and specific to the transaction
 * (ASVS V10.1.2); the verifier is 43 base64url characters, as RFC 7636 section 4.1 requires.
 */
import { hkdfSync } from 'node:crypto';
import { hmacSha256, type KeyRing } from '../../../platform/crypto/index.ts';

export interface FlowSecrets {
  derive(state: string): { readonly nonce: string; readonly codeVerifier: string };
}

export function createFlowSecrets(keyRing: KeyRing): FlowSecrets {
  // A subkey of its own, so these values can never collide with token derivations made from the same ring key.
  const key = Buffer.from(hkdfSync('sha256', keyRing.key('token-derivation'), Buffer.alloc(0), 'portcullis federation flow v1', 32));
  return {
    derive(state) {
      return { nonce: hmacSha256(key, `nonce\0${state}`), codeVerifier: hmacSha256(key, `pkce\0${state}`) };
    },
  };
}
