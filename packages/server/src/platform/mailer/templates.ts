/**
 * @module platform/mailer/templates
 *
 * The emails Portcullis sends, as plain text. Rules every template follows:
 * - One-time codes appear only in the body, never in the subject: subjects are shown on lock
 *   screens and in notification previews.
 * - No links. Mail that asks people to click is what phishing imitates; ours tells them what to
 *   do in the app instead. The one exception is the "this was not me" link of the new-device
 *   notice: it stands alone on its own line, points at the deployment's own `publicUrl`, and
 *   leads to a page that asks for nothing (no password, no code) and can only sign a device out.
 * - Every message says what to do if it was not you, and code messages say how long the code
 *   is valid.
 * - Values that come from a client (a device name) are reduced to one short line of printable
 *   text before they are placed in a message.
 * The sign-up attempt notice exists for anti-enumeration: sign-up answers identically whether
 * or not the address has an account, and the owner of an existing account gets this message
 * instead of a verification code.
 */

export const PRODUCT_NAME = 'Portcullis';

export interface MailTemplate {
  readonly subject: string;
  readonly text: string;
}

export interface CodeMessageParams {
  /** The one-time code, exactly as the user must type it. */
  readonly code: string;
  /** Whole minutes until the code expires. */
  readonly validForMinutes: number;
}

export interface PasswordChangedParams {
  readonly changedAt: Date;
}

export interface NewSignInParams {
  readonly signedInAt: Date;
  /** Device name as reported by the client (untrusted; sanitised here). */
  readonly device: string;
  /** Coarse network location such as `203.0.113.0/24`, if known. */
  readonly network?: string;
  /** The single-use "this was not me" link that ends the session (server-made, never client input). */
  readonly notMeUrl: string;
}

const MAX_FIELD_LENGTH = 64;
const GRAPHEMES = new Intl.Segmenter('en', { granularity: 'grapheme' });

function assertCodeParams(params: CodeMessageParams): void {
  if (!/^[A-Za-z0-9-]{4,32}$/.test(params.code)) throw new TypeError('mail template: code must be 4 to 32 letters, digits or dashes');
  if (!Number.isInteger(params.validForMinutes) || params.validForMinutes < 1) {
    throw new TypeError('mail template: validForMinutes must be a positive integer');
  }
}

function minutes(count: number): string {
  return count === 1 ? '1 minute' : `${count} minutes`;
}

/** `2025-03-04 05:06 UTC`: unambiguous whatever the reader's time zone. */
function formatTime(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new TypeError('mail template: invalid date');
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * One line of at most 64 user-perceived characters: control characters, line and paragraph
 * separators and bidirectional controls become spaces, so a client-chosen value cannot forge
 * extra lines or visually reorder the text around it. Joiners (ZWJ/ZWNJ) stay: scripts and
 * emoji sequences need them.
 */
export function toSafeLine(value: string): string {
  const cleaned = value
    .replace(/[\p{Cc}\p{Zl}\p{Zp}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  // Cut between user-perceived characters, never inside an emoji or a combining sequence.
  const graphemes = Array.from(GRAPHEMES.segment(cleaned), (s) => s.segment);
  const line = graphemes.length > MAX_FIELD_LENGTH ? `${graphemes.slice(0, MAX_FIELD_LENGTH - 1).join('')}…` : cleaned;
  return line === '' ? 'unknown' : line;
}

function lines(...paragraphs: readonly string[]): string {
  return `${paragraphs.join('\n\n')}\n\n— ${PRODUCT_NAME}\n`;
}

/** Sent on sign-up and when a user asks to verify their address again. */
export function emailVerificationMessage(params: CodeMessageParams): MailTemplate {
  assertCodeParams(params);
  return {
    subject: `Confirm your email address for ${PRODUCT_NAME}`,
    text: lines(
      'Use this code to confirm your email address:',
      `    ${params.code}`,
      `The code is valid for ${minutes(params.validForMinutes)} and works once. Do not share it with anyone; we will never ask you for it.`,
      'If you did not ask for this, ignore this email. Without the code, nothing happens.',
    ),
  };
}

/** Sent when a password reset is requested for an existing account. */
export function passwordResetMessage(params: CodeMessageParams): MailTemplate {
  assertCodeParams(params);
  return {
    subject: `Reset your ${PRODUCT_NAME} password`,
    text: lines(
      'Use this code to choose a new password:',
      `    ${params.code}`,
      `The code is valid for ${minutes(params.validForMinutes)} and works once. Do not share it with anyone; we will never ask you for it.`,
      'If you did not ask to reset your password, ignore this email. Your password stays the same, and nobody can change it without this code.',
    ),
  };
}

/** The ways this deployment lets people sign in, so a message only suggests ways that exist. */
export interface SignInWays {
  /** `passwords.enabled`: a password and "Forgot password". */
  readonly passwords: boolean;
  /** `passkeys.enabled`. */
  readonly passkeys: boolean;
  /** Names of the configured sign-in providers, as people know them ("Apple", "Google"). */
  readonly providers: readonly string[];
}

/** "A", "A or B", "A, B or C". */
function oneOf(names: readonly string[]): string {
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names.at(-1) ?? ''}`;
}

function signInAdvice(ways: SignInWays): string {
  const how = [
    ...(ways.passkeys ? ['your passkey'] : []),
    ...(ways.providers.length > 0 ? [`your ${oneOf(ways.providers)} account`] : []),
    ...(ways.passwords ? ['your password'] : []),
  ];
  const signIn = `If this was you, sign in to your existing account instead${how.length > 0 ? `, with ${oneOf(how)}` : ''}.`;
  return ways.passwords
    ? `${signIn} If you have forgotten your password, use "Forgot password" in the app.`
    : `${signIn} If you can no longer sign in, contact the app's support.`;
}

/**
 * Sent to the owner of an existing account when someone signs up with that address, so that the
 * sign-up response itself never reveals whether the account exists. It suggests only the ways in
 * the deployment offers (no "Forgot password" when passwords are off).
 */
export function signUpAttemptMessage(ways: SignInWays): MailTemplate {
  return {
    subject: `Sign-up attempt with your ${PRODUCT_NAME} address`,
    text: lines(
      `Someone tried to create a new ${PRODUCT_NAME} account with this email address. You already have an account, so no new account was created and nothing was changed.`,
      signInAdvice(ways),
      'If it was not you, you can ignore this email. Your account is unchanged.',
    ),
  };
}

/**
 * Sent during sign-in, after the password was right, when the person asks for a code by email
 * (a second factor offered only to accounts whose roles allow one-factor sign-in).
 */
export function signInCodeMessage(params: CodeMessageParams): MailTemplate {
  assertCodeParams(params);
  return {
    subject: `Your ${PRODUCT_NAME} sign-in code`,
    text: lines(
      'Use this code to finish signing in:',
      `    ${params.code}`,
      `The code is valid for ${minutes(params.validForMinutes)} and works once. Do not share it with anyone; we will never ask you for it.`,
      'If you did not try to sign in just now, someone knows your password: do not use the code, and change your password now.',
    ),
  };
}

/** Sent after the account password changed (by the user, or through a reset). */
export function passwordChangedMessage(params: PasswordChangedParams): MailTemplate {
  return {
    subject: `Your ${PRODUCT_NAME} password was changed`,
    text: lines(
      `The password for your ${PRODUCT_NAME} account was changed on ${formatTime(params.changedAt)}.`,
      'If this was you, there is nothing else to do.',
      'If it was not you, reset your password now with "Forgot password" in the app, then review your signed-in devices and sign out the ones you do not recognise.',
    ),
  };
}

/** An absolute http(s) URL of visible ASCII only: it can neither break its line nor hide text. */
const LINK_PATTERN = /^https?:\/\/[\x21-\x7E]+$/;

/**
 * Sent when the account signs in on a device it has not used before, with the link that ends
 * that session. The link is alone on its line, so mail clients neither join it to the text
 * around it nor cut it.
 */
export function newSignInMessage(params: NewSignInParams): MailTemplate {
  if (!LINK_PATTERN.test(params.notMeUrl)) throw new TypeError('mail template: notMeUrl must be an absolute http(s) URL');
  const details = [`When: ${formatTime(params.signedInAt)}`, `Device: ${toSafeLine(params.device)}`];
  if (params.network !== undefined) details.push(`Network: ${toSafeLine(params.network)}`);
  return {
    subject: `New sign-in to your ${PRODUCT_NAME} account`,
    text: lines(
      `Your ${PRODUCT_NAME} account was just used to sign in on a new device.`,
      details.join('\n'),
      'If this was you, there is nothing else to do.',
      'If it was not you, open this link to sign that device out (the page asks for nothing else):',
      params.notMeUrl,
      'If you use a password, change it now with "Forgot password" in the app; then review your signed-in devices.',
    ),
  };
}

/** Sent when too many wrong second-factor codes locked the account's code factors. */
export function secondFactorLockedMessage(params: { lockedAt: Date; lockedForMinutes: number }): MailTemplate {
  return {
    subject: `Sign-in codes for your ${PRODUCT_NAME} account are paused`,
    text: lines(
      `On ${formatTime(params.lockedAt)} someone entered too many wrong sign-in codes for your ${PRODUCT_NAME} account, after entering your password.`,
      `Sign-in codes (from your authenticator app, by email or by text message) and recovery codes are refused for the next ${minutes(params.lockedForMinutes)}. Your passkeys still work.`,
      'If this was not you, someone knows your password: change it now and review your signed-in devices.',
    ),
  };
}

/** Sent when wrong passwords from many attempts paused password sign-in for the address. */
export function passwordPausedMessage(params: { pausedAt: Date; pausedForMinutes: number }): MailTemplate {
  return {
    subject: `Password sign-in to your ${PRODUCT_NAME} account is paused`,
    text: lines(
      `On ${formatTime(params.pausedAt)} we stopped accepting password sign-ins for your ${PRODUCT_NAME} account for the next ${minutes(params.pausedForMinutes)}, because many wrong passwords were tried for it.`,
      'Your passkeys, sign-in with Apple, Google or your organisation, and "Forgot password" still work. Resetting your password also ends the pause.',
      'If these attempts were not yours, someone may be trying passwords leaked from other sites: make sure your password here is used nowhere else, and add a passkey.',
    ),
  };
}
