/**
 * @module modules/mfa/totp
 *
 * Pure RFC 6238 primitives on top of `otpauth`: time steps, code generation, matching a code
 * against the steps around now, and the key URI. No storage and no replay state here: whether a
 * matched step is still unused is decided by the caller, atomically, in the database.
 */
import type * as OTPAuth from 'otpauth';
import { TOTP_DIGITS, TOTP_PERIOD_SECONDS } from '@portcullis/protocol';
import { constantTimeEqual } from '../../platform/crypto/index.ts';

/** RFC 4226 section 4 (R6): at least 128 bits, 160 recommended (the HMAC-SHA-1 output size). */
export const TOTP_SECRET_BYTES = 20;

/**
 * Steps accepted on either side of the current one (RFC 6238 section 5.2 recommends at most one
 * step of network delay). A code therefore lives at most 90 s, and exactly 30 s per step.
 */
export const TOTP_WINDOW_STEPS = 1;

export type TotpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

interface CodeOptions {
  readonly algorithm?: TotpAlgorithm;
  readonly digits?: number;
}

let loaded: Promise<typeof OTPAuth> | undefined;

/** Lazy: loaded by the first TOTP enrolment or check, since most processes never handle one. */
function loadOtpAuth(): Promise<typeof OTPAuth> {
  loaded ??= import('otpauth');
  return loaded;
}

function codeAt({ HOTP, Secret }: typeof OTPAuth, secret: Uint8Array, step: number, options: CodeOptions = {}): string {
  return HOTP.generate({
    secret: new Secret({ buffer: toArrayBuffer(secret) }),
    algorithm: options.algorithm ?? 'SHA1',
    digits: options.digits ?? TOTP_DIGITS,
    counter: step,
  });
}

/** The RFC 6238 time step `T = floor((now - T0) / X)` with `T0 = 0` and `X` = 30 s. */
export function timeStepAt(nowMs: number, periodSeconds: number = TOTP_PERIOD_SECONDS): number {
  return Math.floor(nowMs / 1000 / periodSeconds);
}

/**
 * The code for one time step (RFC 6238 section 4.2: HOTP with the step as counter).
 *
 * @example
 * await generateTotpCode(seed, timeStepAt(Date.now())); // '492039'
 */
export async function generateTotpCode(secret: Uint8Array, step: number, options: CodeOptions = {}): Promise<string> {
  return codeAt(await loadOtpAuth(), secret, step, options);
}

/**
 * Returns the newest time step within the window whose code equals `code`, or null. Every step
 * of the window is computed and compared in constant time, with no early exit, so the answer
 * time does not depend on which step (if any) matched.
 */
export async function matchTimeStep(secret: Uint8Array, code: string, nowMs: number): Promise<number | null> {
  const otpAuth = await loadOtpAuth();
  const current = timeStepAt(nowMs);
  let matched: number | null = null;
  for (let step = current - TOTP_WINDOW_STEPS; step <= current + TOTP_WINDOW_STEPS; step++) {
    if (constantTimeEqual(codeAt(otpAuth, secret, step), code)) matched = step;
  }
  return matched;
}

/** RFC 4648 base32 without padding, the form authenticator apps expect. */
export async function base32Secret(secret: Uint8Array): Promise<string> {
  const { Secret } = await loadOtpAuth();
  return new Secret({ buffer: toArrayBuffer(secret) }).base32;
}

/**
 * The `otpauth://totp/<issuer>:<label>?secret=…&issuer=…` key URI (Google Authenticator key URI
 * format), with the parameters spelled out so apps never fall back to their own defaults.
 */
export async function totpKeyUri(input: { issuer: string; label: string; secret: Uint8Array }): Promise<string> {
  const { Secret, TOTP } = await loadOtpAuth();
  return new TOTP({
    issuer: input.issuer,
    label: input.label,
    secret: new Secret({ buffer: toArrayBuffer(input.secret) }),
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
  }).toString();
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
