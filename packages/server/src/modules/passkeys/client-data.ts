/**
 * @module modules/passkeys/client-data
 *
 * Reads the one field the server needs before verification — the challenge — out of the
 * untrusted `clientDataJSON` (WebAuthn L3 §5.8.1). Everything else in it is checked by the
 * verifier; this parser only has to fail closed on bytes that are not JSON with a string
 * challenge.
 */
import { loadWebAuthn } from './webauthn.ts';

/** Challenges we issue are 43 base64url characters; anything far longer is not ours. */
const MAX_CHALLENGE_LENGTH = 128;

export async function readChallenge(clientDataJSON: string): Promise<string | undefined> {
  const { isoBase64URL } = (await loadWebAuthn()).helpers;
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
