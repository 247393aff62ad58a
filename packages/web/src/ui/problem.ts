/**
 * @module ui/problem
 *
 * What the person reads when something fails: words that say what to do, chosen by the problem
 * code the server sent (never the raw response, which may name internals). Codes not listed
 * here show the server's public title, which the protocol keeps safe to show.
 */
import { isApiError, isClientError } from '@portcullis/sdk';

const WORDS: Record<string, string> = {
  REQUEST_INVALID: 'Some of what you entered is not in the expected form. Check each field and try again.',
  AUTH_REQUIRED: 'You were signed out. Sign in again to continue.',
  AUTH_REFRESH_INVALID: 'You were signed out. Sign in again to continue.',
  NOT_SIGNED_IN: 'You were signed out. Sign in again to continue.',
  AUTH_LEVEL_INSUFFICIENT: 'This needs a stronger sign-in. Sign in with your passkey or second factor.',
  AUTH_INVALID_CREDENTIALS: 'That email and password do not match. Check both, or reset your password.',
  AUTH_PASSWORD_THROTTLED: 'Too many wrong passwords for this account. Wait, sign in with a passkey, or reset your password.',
  AUTH_EMAIL_NOT_VERIFIED: 'Confirm your email address first: enter the code we sent you.',
  PASSWORD_POLICY_VIOLATION: 'Choose another password: at least 12 characters, not a common or breached one.',
  VERIFICATION_CODE_INVALID: 'That code is not right, or it has expired. Enter the newest code we sent.',
  MFA_TOTP_CODE_INVALID: 'That code is not right. Enter the 6 digits your authenticator app shows now.',
  MFA_CODE_INVALID: 'That code is not right, or it has expired. Enter the newest code.',
  MFA_CHALLENGE_INVALID: 'The sign-in took too long. Start again with your email and password.',
  MFA_LOCKED: 'Too many wrong codes. Wait a few minutes, or use a recovery code.',
  MFA_CODE_SEND_LIMIT_REACHED: 'We have sent as many codes as we can for now. Use the newest one, or start again later.',
  STEP_UP_REQUIRED: 'Confirm it is you to continue.',
  STEP_UP_PASSKEY_FAILED: 'The passkey did not confirm it is you. Try again.',
  RBAC_FORBIDDEN: 'Your role does not allow this. Ask an administrator if you need it.',
  RECORD_NOT_FOUND: 'We could not find that entry. It may have been removed, or access was withdrawn.',
  RECORD_GRANTEE_INVALID: 'Access can be given only to a clinician of this clinic. Check the email address.',
  PASSKEY_ALREADY_REGISTERED: 'This passkey is already registered on your account.',
  PASSKEY_SIGN_IN_FAILED: 'The passkey could not sign you in. Try again, or use your password.',
  PASSKEY_LAST_FACTOR: 'This is your last way to prove it is you. Add another passkey or factor first.',
  RATE_LIMITED: 'Too many attempts. Wait a moment, then try again.',
  SERVICE_UNAVAILABLE: 'The service is busy or briefly unavailable. Try again in a minute.',
  KEY_SERVICE_UNAVAILABLE: 'Private data cannot be opened right now. Try again in a minute.',
  ADMIN_SELF_ACTION_FORBIDDEN: 'You cannot do this to your own account. Ask another administrator.',
  ELEVATION_APPROVER_INVALID: 'Someone else must approve this request.',
  ELEVATION_NOT_PENDING: 'This request was already decided, or the role already ended. Refresh the list.',
  ELEVATION_NOT_FOUND: 'We could not find that request. Refresh the list.',
  ELEVATION_ROLE_INVALID: 'That role cannot be asked for. Choose another role.',
  ADMIN_ACCOUNT_NOT_FOUND: 'We could not find that account. Check the id, or search by email address.',
  ADMIN_ROLE_UNKNOWN: 'One of those roles does not exist in this clinic. Untick it and save again.',
  AUDIT_PROOF_RANGE_INVALID: 'That entry is not in the signed checkpoint yet. Load the latest checkpoint and try again.',
  NETWORK_ERROR: 'We could not reach the server. Check your connection and try again.',
  MESSAGING_ACCOUNT_NOT_FOUND: 'You cannot message this person: a patient and a clinician can talk only while the patient gives access.',
  MESSAGING_DEVICE_BINDING_REQUIRED: 'Sign out and sign in again to use messages in this browser.',
  MESSAGING_MESSAGE_TOO_LARGE: 'This message is too long. Split it into shorter messages.',
  // The messaging engine's own refusals (MessagingError), checked on this device.
  CREDENTIAL_REJECTED:
    'The security key of this person could not be confirmed in the clinic’s public key log, so nothing was sent to them. Try again later; if it keeps happening, tell the clinic.',
  DEVICE_NOT_REGISTERED: 'This browser is not set up for messages yet. Open Messages again.',
  UNKNOWN_CONVERSATION: 'This browser is no longer in that conversation.',
  NOT_A_MEMBER: 'That person is not in this conversation.',
  EPOCH_CONFLICT_RETRIES_EXHAUSTED: 'Others changed the conversation at the same moment. Try again.',
  STORED_STATE_UNREADABLE: 'The messages kept in this browser cannot be opened. Sign out and sign in again to start afresh.',
  PASSKEY_CANCELLED: 'The passkey request was cancelled. Try again, or sign in with your password.',
  PASSKEY_NOT_FOUND: 'That passkey is no longer on your account.',
  MFA_ENROLMENT_NOT_FOUND: 'The set-up took too long or was replaced. Start setting up the app again.',
  MFA_FACTOR_NOT_FOUND: 'That authenticator app is no longer on your account.',
  MFA_FACTOR_LIMIT_REACHED: 'You already have 5 authenticator apps. Remove one before adding another.',
  SESSION_NOT_FOUND: 'That session has already ended.',
  STEP_UP_CHALLENGE_INVALID: 'The confirmation took too long. Try the action again.',
  STEP_UP_METHOD_NOT_ALLOWED: 'This action must be confirmed another way. Try again and choose a passkey.',
  // Provider sign-in (Apple, Google, …): refusals the server sends back to the return page or answers the code with.
  FEDERATION_CANCELLED: 'The sign-in was cancelled at the provider. Start again, or use another way to sign in.',
  FEDERATION_ACCOUNT_EXISTS:
    'You already have an account with this email address. Sign in with your passkey or password, then link this provider on the Security page.',
  FEDERATION_EMAIL_NOT_VERIFIED:
    'The provider did not confirm your email address, so it cannot sign you in. Confirm it there, or use another way.',
  FEDERATION_EXCHANGE_CODE_INVALID: 'The sign-in took too long or was already used. Start again.',
  FEDERATION_STATE_INVALID: 'The sign-in took too long or was started in another browser. Start again.',
  FEDERATION_AUTHORIZATION_FAILED: 'The provider did not let you in. Start again, or use another way to sign in.',
  FEDERATION_PROVIDER_UNAVAILABLE: 'The provider cannot be reached right now. Try again in a minute, or use another way to sign in.',
  FEDERATION_TOKEN_INVALID: 'The provider’s answer could not be checked. Start again.',
  FEDERATION_SIGN_IN_REFUSED: 'This account cannot sign in right now. Contact the clinic.',
  FEDERATION_PROVIDER_UNKNOWN: 'That way of signing in is not offered here. Use your passkey or password.',
  FEDERATION_RETURN_URL_INVALID: 'That way of signing in is not set up for this site. Use your passkey or password.',
  STEP_UP_UNAVAILABLE: 'To confirm it is you, you need a passkey or an authenticator app. Add one on the Security page first.',
};

/**
 * A failure a view found itself (a confirmation that does not match, a field the server refused,
 * named in the view's own words): its message is already the sentence to show.
 */
export class InputProblem extends Error {
  override readonly name = 'InputProblem';
}

/** The messaging engine's errors, known by name and code (importing its module here would load MLS on every page). */
function messagingCode(error: unknown): string | undefined {
  return error instanceof Error && error.name === 'MessagingError' && typeof (error as { code?: unknown }).code === 'string'
    ? (error as unknown as { code: string }).code
    : undefined;
}

/** A sentence for a problem code that came without an error object (e.g. in a return URL). */
export function codeWords(code: string): string {
  return WORDS[code] ?? 'Something went wrong. Try again; if it keeps happening, contact support.';
}

/** A sentence for `error`, safe to show: the code's words, or the public title, or a generic line. */
export function problemWords(error: unknown): string {
  if (error instanceof InputProblem) return error.message;
  const messaging = messagingCode(error);
  if (messaging) return WORDS[messaging] ?? 'The message could not be handled safely, so nothing was shown or sent. Try again.';
  if (isApiError(error)) {
    const retry = (error as { retryAfterSeconds?: number }).retryAfterSeconds;
    const words = WORDS[error.code] ?? error.message;
    return retry ? `${words} (You can try again in ${Math.max(1, Math.ceil(retry))} seconds.)` : words;
  }
  if (isClientError(error)) return WORDS[error.code] ?? error.message;
  if (error instanceof DOMException && (error.name === 'NotAllowedError' || error.name === 'AbortError'))
    return WORDS['PASSKEY_CANCELLED'] ?? '';
  return 'Something went wrong. Try again; if it keeps happening, contact support.';
}

/** The problem code, for tests and for pages that react to one code (e.g. step-up). */
export function problemCode(error: unknown): string | undefined {
  return isApiError(error) || isClientError(error) ? error.code : undefined;
}
