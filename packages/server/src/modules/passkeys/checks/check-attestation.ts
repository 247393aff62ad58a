/**
 * @module modules/passkeys/checks/check-attestation
 *
 * The attestation policy, applied after @simplewebauthn/server has verified the attestation
 * statement's signature (WebAuthn L3 §7.1 steps 19–22). The library accepts every format it
 * knows and, for `packed`, skips the certificate path when it has no roots; here the deployment
 * decides which formats it takes, whether self attestation is enough, and which roots a
 * `packed` certificate must chain to. The result also records how far the server can vouch for
 * the authenticator model (`attestation_trust`).
 */
import type { Uint8Array_ } from '@simplewebauthn/server';
import type { AttestationPolicy } from '../relying-party.ts';
import { loadWebAuthn } from '../webauthn.ts';

/** `none`: nothing attested; `self`: signed by the credential key; `unanchored`: a certificate we did not check; `anchored`: chains to a trusted root. */
export type AttestationTrust = 'none' | 'self' | 'unanchored' | 'anchored';

export type AttestationRefusal = 'attestation_format_not_allowed' | 'self_attestation_refused' | 'attestation_untrusted';

export type AttestationOutcome = { readonly trust: AttestationTrust } | { readonly refused: AttestationRefusal };

async function chainsToRoot(x5c: readonly Uint8Array_[], roots: readonly string[]): Promise<boolean> {
  const { convertCertBufferToPEM, validateCertificatePath } = (await loadWebAuthn()).helpers;
  try {
    return await validateCertificatePath(
      x5c.map((der) => convertCertBufferToPEM(der)),
      [...roots],
    );
  } catch {
    return false;
  }
}

async function trustOf(policy: AttestationPolicy, fmt: string, x5c: readonly Uint8Array_[] | undefined): Promise<AttestationTrust> {
  if (fmt === 'none') return 'none';
  if (!x5c || x5c.length === 0) return 'self';
  // The library itself anchors `apple` statements in Apple's root (or the configured one).
  if (fmt === 'apple') return 'anchored';
  if (fmt === 'packed' && policy.packedRoots.length > 0 && (await chainsToRoot(x5c, policy.packedRoots))) return 'anchored';
  return 'unanchored';
}

export async function checkAttestation(policy: AttestationPolicy, attestationObject: Uint8Array_): Promise<AttestationOutcome> {
  const decoded = (await loadWebAuthn()).helpers.decodeAttestationObject(attestationObject);
  const fmt = decoded.get('fmt');
  const trust = await trustOf(policy, fmt, decoded.get('attStmt').get('x5c'));
  // With `conveyance: none` the server asked for nothing and takes what the client sends.
  if (policy.conveyance === 'none') return { trust };
  if (!policy.formats.includes(fmt)) return { refused: 'attestation_format_not_allowed' };
  if (trust === 'self' && policy.selfAttestation === 'refuse') return { refused: 'self_attestation_refused' };
  // Roots configured for `packed`: a certificate that does not chain to one of them is refused.
  if (fmt === 'packed' && trust === 'unanchored' && policy.packedRoots.length > 0) return { refused: 'attestation_untrusted' };
  return { trust };
}
