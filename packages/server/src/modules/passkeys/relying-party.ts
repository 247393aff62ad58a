/**
 * @module modules/passkeys/relying-party
 *
 * The relying party as WebAuthn sees it, derived once from configuration: its id (the domain
 * every passkey is bound to), the origins a response may come from, the algorithms offered,
 * the challenge lifetime and the attestation policy. Configured root certificates are parsed
 * here so a bad one stops the server at start instead of failing registrations later (the one
 * case in which the WebAuthn library loads at start).
 */
import type { Uint8Array_ } from '@simplewebauthn/server';
import type { Config } from '../../config/schema.ts';
import { loadWebAuthn, type WebAuthn } from './webauthn.ts';

export interface AttestationPolicy {
  readonly conveyance: 'none' | 'direct';
  readonly formats: readonly string[];
  readonly selfAttestation: 'accept' | 'refuse';
  /** PEM roots a `packed` certificate chain must lead to; empty: chains are not anchored. */
  readonly packedRoots: readonly string[];
}

export interface RelyingParty {
  readonly id: string;
  readonly name: string;
  readonly origins: readonly string[];
  readonly challengeTtlMs: number;
  readonly attestation: AttestationPolicy;
}

/**
 * ES256, EdDSA and RS256 (COSE -7, -8, -257): what platform authenticators, security keys and
 * Windows Hello produce. Offered in this order and accepted only from this list.
 */
export const SUPPORTED_ALGORITHMS: readonly number[] = [-7, -8, -257];

function pemToDer(pem: string): Uint8Array_ {
  return Uint8Array.from(Buffer.from(pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, ''), 'base64'));
}

/** Throws TypeError (misconfiguration, at start) for a root that is not a parseable certificate. */
function checkRoots(helpers: WebAuthn['helpers'], roots: readonly string[], setting: string): void {
  roots.forEach((pem, index) => {
    try {
      helpers.getCertificateInfo(pemToDer(pem));
    } catch (cause) {
      throw new TypeError(`${setting}[${index}] is not a valid X.509 certificate`, { cause });
    }
  });
}

/** Throws TypeError (misconfiguration, at start) for a configured root that is not a certificate. */
async function applyTrustedRoots(roots: Config['passkeys']['attestation']['trustedRoots']): Promise<void> {
  if (roots.packed.length === 0 && roots.apple.length === 0) return;
  const { server, helpers } = await loadWebAuthn();
  checkRoots(helpers, roots.packed, 'passkeys.attestation.trustedRoots.packed');
  checkRoots(helpers, roots.apple, 'passkeys.attestation.trustedRoots.apple');
  // @simplewebauthn/server keeps Apple's root in a process-wide setting; replace it only when
  // the operator asked to (documented on the setting).
  if (roots.apple.length > 0) {
    server.SettingsService.setRootCertificates({ identifier: 'apple', certificates: [...roots.apple] });
  }
}

export async function createRelyingParty(config: Config): Promise<RelyingParty> {
  const { passkeys } = config;
  const publicUrl = new URL(config.publicUrl);
  const { attestation } = passkeys;
  await applyTrustedRoots(attestation.trustedRoots);
  return {
    id: passkeys.rpId ?? publicUrl.hostname,
    name: passkeys.rpName,
    origins: passkeys.allowedOrigins.length > 0 ? [...passkeys.allowedOrigins] : [publicUrl.origin],
    challengeTtlMs: passkeys.challengeTtlSeconds * 1000,
    attestation: {
      conveyance: attestation.conveyance,
      formats: [...attestation.formats],
      selfAttestation: attestation.selfAttestation,
      packedRoots: [...attestation.trustedRoots.packed],
    },
  };
}
