/**
 * @module modules/passkeys/verification-failure
 *
 * @simplewebauthn/server reports failed checks as plain `Error`s with English messages (which
 * may quote client data). This turns one into a short audit reason and never lets the message
 * itself reach a log detail or the client. Unrecognised messages become `malformed`: the reason
 * is for people reading the audit log, not a security decision.
 */

const REASONS: readonly (readonly [RegExp, string])[] = [
  [/\borigin\b/i, 'origin_mismatch'],
  [/RP ID/i, 'rp_id_mismatch'],
  [/User verification/i, 'user_not_verified'],
  [/User (presence|not present)/i, 'user_not_present'],
  [/response type/i, 'wrong_ceremony'],
  [/public key alg|unsupported.*alg/i, 'algorithm_not_allowed'],
  [/attestation|certificate|Packed|Apple|x5c/i, 'attestation_invalid'],
  [/signature/i, 'signature_invalid'],
];

export function verificationFailureReason(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  return REASONS.find(([pattern]) => pattern.test(message))?.[1] ?? 'malformed';
}
