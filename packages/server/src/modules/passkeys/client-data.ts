/**
 * @module modules/passkeys/client-data
 *
 * Reads the one field the server needs before verification — the challenge — out of the
 * untrusted `clientDataJSON` (WebAuthn L3 §5.8.1). Everything else in it is checked by the
 * verifier; this parser only has to fail closed on bytes that are not JSON with a string
 * challenge.
 */
import { isoBase64URL } from '@simplewebauthn/server/helpers';

/** Challenges we issue are 43 base64url characters; anything far longer is not ours. */
const MAX_CHALLENGE_LENGTH = 128;

export function readChallenge(clientDataJSON: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(isoBase64URL.toUTF8String(clientDataJSON));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { challenge } = parsed as { challenge?: unknown };
  return typeof challenge === 'string' && challenge.length > 0 && challenge.length <= MAX_CHALLENGE_LENGTH ? challenge : undefined;
}
