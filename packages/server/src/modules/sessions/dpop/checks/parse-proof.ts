/**
 * @module modules/sessions/dpop/checks/parse-proof
 *
 * First step: the `DPoP` header value is exactly one compact JWS of bounded size whose protected
 * header is a JSON object (RFC 9449 section 4.3 steps 1-2; RFC 7515 section 7.1). The payload is
 * only decoded after the signature has been verified (`decode-claims.ts`).
 */
import { fail } from '../failures.ts';

/** Largest proof accepted, in characters. A P-256 proof with a nonce and `ath` is about 600. */
export const MAX_PROOF_LENGTH = 4096;

/** Three non-empty base64url segments; no padding, no whitespace, nothing else. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface ParsedProof {
  readonly header: Readonly<Record<string, unknown>>;
  /** `BASE64URL(header) || '.' || BASE64URL(payload)`, the bytes the signature covers. */
  readonly signingInput: string;
  readonly payloadSegment: string;
  readonly signature: Buffer;
}

/** Decodes one base64url segment into a JSON object, or returns undefined. */
export function decodeJsonObject(segment: string): Record<string, unknown> | undefined {
  // A length of 1 mod 4 is not base64 at all; Buffer would silently drop the last character.
  if (segment.length % 4 === 1) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(Buffer.from(segment, 'base64url')));
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * @param value The `DPoP` request header as Node delivers it: a string, or an array if a
 *   client sent the header more than once (Node joins unknown duplicate headers with ", ",
 *   which the compact-JWS check then refuses).
 */
export function parseProof(value: string | readonly string[] | undefined): ParsedProof {
  if (value === undefined || value === '') fail('proof missing');
  // RFC 9449 section 4.3 step 1: not more than one DPoP header field.
  if (typeof value !== 'string') fail('more than one proof');
  // Bound the work done on unauthenticated input before anything is decoded.
  if (value.length > MAX_PROOF_LENGTH) fail('proof too large');
  // Step 2: a single, well-formed JWS in compact serialization.
  if (!COMPACT_JWS.test(value)) fail('proof is not a compact JWS');
  const firstDot = value.indexOf('.');
  const secondDot = value.indexOf('.', firstDot + 1);
  const headerSegment = value.slice(0, firstDot);
  const header = decodeJsonObject(headerSegment);
  if (header === undefined) fail('header is not a JSON object');
  return {
    header,
    signingInput: value.slice(0, secondDot),
    payloadSegment: value.slice(firstDot + 1, secondDot),
    signature: Buffer.from(value.slice(secondDot + 1), 'base64url'),
  };
}
