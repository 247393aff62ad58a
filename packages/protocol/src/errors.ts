/**
 * @module errors
 *
 * The single registry of error codes that cross the wire. The server raises them, the SDK
 * narrows on them, and `docs/errors.md` is generated from them. A code, once released, is never
 * renamed or reused: add a new one instead. Messages are public and must never interpolate
 * request data (a test checks that no message contains a template placeholder).
 */

/** Rejects keys that are not UPPER_SNAKE_CASE at the type level. */
type UpperSnake<K extends string> = K extends `${infer Head}_${infer Tail}`
  ? Head extends Uppercase<Head>
    ? Tail extends Uppercase<Tail>
      ? K
      : never
    : never
  : K extends Uppercase<K>
    ? K
    : never;

export interface ErrorDefinition {
  /** HTTP status the code is sent with. */
  readonly status: number;
  /** Short public title (RFC 9457 `title`); safe to show to end users. */
  readonly message: string;
  /** What the condition means and what a client should do; goes into the generated docs. */
  readonly description: string;
  /**
   * Whether the code and message reach the client. Defaults to `status < 500`; a deliberate 5xx
   * such as `SERVICE_UNAVAILABLE` sets it so clients can tell "retry later" from a bug.
   */
  readonly expose?: boolean;
}

function defineErrors<const T extends Record<string, ErrorDefinition>>(
  errors: T & { [K in keyof T]: K extends string ? (K extends UpperSnake<K> ? ErrorDefinition : never) : never },
): Readonly<T> {
  return Object.freeze(errors);
}

export const ERRORS = defineErrors({
  REQUEST_INVALID: {
    status: 400,
    message: 'The request is invalid',
    description:
      'The request body, query string, parameters or headers do not match the schema of the route. The `errors` member lists a JSON pointer and reason for each violation.',
  },
  REQUEST_BODY_TOO_LARGE: {
    status: 413,
    message: 'The request body is too large',
    description: 'The body exceeds the configured `http.bodyLimitBytes`.',
  },
  REQUEST_MEDIA_TYPE_UNSUPPORTED: {
    status: 415,
    message: 'The request media type is not supported',
    description: 'Send `application/json` unless the route documents another media type.',
  },
  ROUTE_NOT_FOUND: {
    status: 404,
    message: 'No such route',
    description: 'No route matches the method and path. Unknown routes answer the same way whether or not a similar one exists.',
  },
  WEB_APP_NOT_BUILT: {
    status: 503,
    message: 'The web app is not built: run npm run build, then restart the server',
    description:
      'The server serves the reference web app from `web.dir`, and that directory (or its `index.html`) was missing when the server started. Build the app (`npm run build`) and restart, or set `web.enabled: false` on an API-only deployment.',
    expose: true,
  },
  METHOD_NOT_ALLOWED: {
    status: 405,
    message: 'Method not allowed',
    description: 'The path exists but does not accept this method.',
  },
  REQUEST_URL_INVALID: {
    status: 400,
    message: 'The request URL is invalid',
    description:
      'The path is not a valid URL: typically a `%` not followed by two hexadecimal digits, or percent-encoded bytes that are not UTF-8. Percent-encode the path correctly. The URL is never repeated in the answer.',
  },
  REQUEST_URL_TOO_LONG: {
    status: 414,
    message: 'The request URL is too long',
    description:
      'A path segment is longer than any route accepts (100 characters per path parameter). Identifiers in paths are far shorter; the URL is never repeated in the answer.',
  },
  REQUEST_HEADERS_TOO_LARGE: {
    status: 431,
    message: 'The request headers are too large',
    description: 'The request line and headers together exceed the HTTP parser limit (16 KiB). The connection is closed after this answer.',
  },
  REQUEST_MALFORMED: {
    status: 400,
    message: 'The request is not valid HTTP',
    description:
      'The bytes received are not a valid HTTP/1.1 request: a malformed request line, an invalid header name or value, no `Host` header, or conflicting message framing (`Content-Length` with `Transfer-Encoding`, a bad chunk, a body shorter or longer than declared). Most are answered by the HTTP parser before any route, and the connection is then closed.',
  },
  REQUEST_TIMEOUT: {
    status: 408,
    message: 'The request took too long to arrive',
    description:
      'The request headers and body were not received within `http.requestTimeoutMs`. The connection is closed after this answer; send the request again.',
  },
  AUTH_REQUIRED: {
    status: 401,
    message: 'Authentication is required',
    description:
      'The route requires an authenticated caller and the request carried no acceptable credentials. Every non-public route answers this way when credentials are missing or invalid.',
  },
  AUTH_LEVEL_INSUFFICIENT: {
    status: 401,
    message: 'A stronger sign-in is needed',
    description:
      'The session is valid but signed in at a lower assurance level than the route requires, or than the action does (adding another second factor needs `aal2` once the account has one). `requiredLevel` names the level to reach (`aal2` or `aal2_phr`), `currentLevel` the session\'s, and `methods` the kinds of factor that can reach it (`passkey`, `totp`, `sms`, `email`, `recovery_code`; only `passkey` for `aal2_phr`). The `WWW-Authenticate` header says the same (RFC 9470: `error="insufficient_user_authentication"`, `acr_values`, and `max_age` when the route asks for a recent sign-in). Sign in again with one of the methods, then repeat the request.',
  },
  AUTH_INVALID_CREDENTIALS: {
    status: 401,
    message: 'The email address or password is incorrect',
    description:
      'Sign-in failed. The answer is the same whether the account does not exist, the password is wrong or the account is locked, so it cannot be used to discover accounts.',
  },
  AUTH_PASSWORD_THROTTLED: {
    status: 429,
    message: 'Too many password attempts; try again later or sign in another way',
    description:
      'Too many wrong passwords were tried for this address, from this network, or across the service. Password checks pause for the seconds in `Retry-After`; passkey sign-in, sign-in with a provider and password reset keep working. The answer is the same whether or not the address has an account, and a paused attempt checks nothing. When it was the address that drew the attempts, its owner is told by email.',
  },
  PASSWORDS_DISABLED: {
    status: 403,
    message: 'Passwords are not used on this server; sign in with a passkey or a provider',
    description:
      'The deployment turned passwords off (`passwords.enabled: false`). Every password route (password sign-in, password change, reset request and confirmation, sign-up with a password) answers this before reading the body or doing any password work. Sign up with an email address alone and register a passkey, or sign in with a provider.',
  },
  AUTH_EMAIL_NOT_VERIFIED: {
    status: 403,
    message: 'Verify your email address before signing in',
    description:
      'The credentials are correct but the email address has not been verified yet. Only someone who knows the password learns this.',
  },
  AUTH_DPOP_INVALID: {
    status: 401,
    message: 'The DPoP proof is invalid',
    description:
      'The `DPoP` header is missing, malformed, signed by another key, made for another method or URL, too old, replayed, or lacks the access-token hash. Sign a fresh proof for this exact request. When the proof names another URL, `detail` says which public URL (`publicUrl`) proofs must name.',
  },
  AUTH_DPOP_NONCE_REQUIRED: {
    status: 401,
    message: 'A fresh DPoP nonce is required',
    description:
      'Retry the request with a proof that carries the nonce from the `DPoP-Nonce` response header (RFC 9449 section 8). The SDK does this automatically.',
  },
  AUTH_REFRESH_INVALID: {
    status: 401,
    message: 'The refresh token is invalid',
    description:
      'The refresh token is unknown, expired, revoked, bound to another device key, or was already used (in which case its whole session was revoked). Sign in again.',
  },
  AUTH_CLIENT_INVALID: {
    status: 401,
    message: 'Client authentication failed',
    description: 'The service credentials sent to the introspection endpoint are missing or wrong.',
  },
  FEDERATION_PROVIDER_UNKNOWN: {
    status: 404,
    message: 'No such sign-in provider',
    description:
      'The provider id is not configured on this server, or the provider does not offer the requested flow (for example a web sign-in without a client secret, or notifications for a provider that is not Apple).',
  },
  FEDERATION_RETURN_URL_INVALID: {
    status: 400,
    message: 'The return URL is not allowed',
    description: "`returnTo` must be exactly one of the provider's configured `returnUrls`; the server never redirects anywhere else.",
  },
  FEDERATION_STATE_INVALID: {
    status: 400,
    message: 'The sign-in attempt is invalid or has expired',
    description:
      'The provider sent the browser back with a `state` that is unknown, expired, already used, started for another provider, or started in another browser (the binding cookie is missing or does not match), or with the wrong response mode. Start the sign-in again from the app.',
  },
  FEDERATION_CANCELLED: {
    status: 400,
    message: 'The sign-in was cancelled',
    description:
      'The person cancelled at the provider or declined consent. Sent to the app as `error=FEDERATION_CANCELLED` on its return URL.',
  },
  FEDERATION_AUTHORIZATION_FAILED: {
    status: 400,
    message: 'The provider did not complete the sign-in',
    description:
      'The provider answered with an error, or refused to exchange the authorization code (expired, already used, or issued for another client). Start the sign-in again.',
  },
  FEDERATION_PROVIDER_UNAVAILABLE: {
    status: 503,
    expose: true,
    message: 'The sign-in provider cannot be reached',
    description: "The provider's discovery document, keys or token endpoint did not answer. Retry later; nothing was changed.",
  },
  FEDERATION_TOKEN_INVALID: {
    status: 401,
    message: 'The ID token is invalid',
    description:
      'The ID token failed verification: bad or missing signature, a key the provider does not publish, a disallowed algorithm (`none`, HMAC), wrong issuer or audience, expired or too old, a nonce that does not match the one given, or a nonce already used. The reason is logged, never sent.',
  },
  FEDERATION_EXCHANGE_CODE_INVALID: {
    status: 400,
    message: 'The exchange code is invalid or has expired',
    description:
      'The one-time code from the return URL is unknown, already redeemed, expired (after `federation.exchangeCodeTtlSeconds`), or the code verifier or DPoP key does not match the ones that started the flow.',
  },
  FEDERATION_EMAIL_NOT_VERIFIED: {
    status: 403,
    message: 'The provider did not share a verified email address',
    description:
      'A new account needs an email address the provider has verified. Verify the address with the provider, or sign in another way and link this provider from the account.',
  },
  FEDERATION_ACCOUNT_EXISTS: {
    status: 409,
    message: 'An account already uses this email address',
    description:
      'The provider verified an address that already belongs to an account, but this external identity is not linked to it. Accounts are never linked by email: sign in to that account the usual way, then link the provider from it. Only someone who controls the address (as the provider verified) learns this.',
  },
  FEDERATION_IDENTITY_IN_USE: {
    status: 409,
    message: 'This sign-in is linked to another account',
    description: 'The external identity is already linked to a different account. Unlink it there first.',
  },
  FEDERATION_IDENTITY_NOT_FOUND: {
    status: 404,
    message: 'No such linked sign-in',
    description: 'The linked identity does not exist or does not belong to the caller.',
  },
  FEDERATION_LAST_SIGN_IN_METHOD: {
    status: 409,
    message: 'This is the last way to sign in to the account',
    description: 'Unlinking it would lock the account out. Set a password, register a passkey or link another provider first.',
  },
  FEDERATION_SIGN_IN_REFUSED: {
    status: 403,
    message: 'Sign-in is not possible for this account',
    description: 'The external identity is valid but its account is locked. Contact support.',
  },
  FEDERATION_NOTIFICATION_INVALID: {
    status: 400,
    message: 'The notification is invalid',
    description:
      "A provider notification failed verification (signature, issuer, audience, time) or has an unknown shape. Only Apple's signed server-to-server notifications are accepted.",
  },
  PASSWORD_POLICY_VIOLATION: {
    status: 400,
    message: 'The password does not meet the password policy',
    description:
      'The `errors` member says why: too short, too long, or found in a list of common or breached passwords. No composition rules apply (NIST SP 800-63B).',
  },
  VERIFICATION_CODE_INVALID: {
    status: 400,
    message: 'The code is invalid or has expired',
    description: 'The one-time code is wrong, was already used, has expired, or too many attempts were made. Request a new one.',
  },
  MFA_TOTP_CODE_INVALID: {
    status: 400,
    message: 'The authenticator code is incorrect',
    description:
      'The 6-digit code does not match, is from too far in the past or future (more than one 30-second step), or was already accepted once. Wait for the next code and try again; check the device clock if it keeps failing.',
  },
  MFA_ENROLMENT_NOT_FOUND: {
    status: 404,
    message: 'No pending enrolment with this id',
    description:
      'The enrolment was never started by this account, has expired (10 minutes), was replaced by a newer one, or is already confirmed. Start a new enrolment.',
  },
  MFA_FACTOR_NOT_FOUND: {
    status: 404,
    message: 'No such factor',
    description: 'The factor does not exist or does not belong to the caller.',
  },
  MFA_FACTOR_LIMIT_REACHED: {
    status: 409,
    message: 'Too many authenticator apps',
    description: 'The account already has the maximum number of authenticator apps (5). Remove one before adding another.',
  },
  MFA_REQUIRED: {
    status: 401,
    message: 'Second factor required',
    description:
      'The first factor was right; finish signing in with a second factor. The problem carries a `challenge` token, the accepted `methods` and `expiresIn`; send them to `POST /v1/sessions/mfa` with a DPoP proof from the same key, or sign in with a passkey.',
  },
  MFA_CHALLENGE_INVALID: {
    status: 401,
    message: 'Sign-in challenge invalid',
    description: 'The challenge is unknown, expired, already used, out of attempts, or was earned with another device key. Sign in again.',
  },
  MFA_CODE_INVALID: {
    status: 401,
    message: 'Code not accepted',
    description: 'The second-factor code is wrong or was already used. The challenge stays usable until its attempts run out.',
  },
  MFA_METHOD_NOT_ALLOWED: {
    status: 403,
    message: 'Codes by email or text message are not available here',
    description:
      'Email and SMS codes are offered only to accounts whose roles allow signing in with one factor (`mfa.requiredLevel` `aal1`), when the deployment enables them (`mfa.emailCodes`, `mfa.smsCodes`), to a verified email address or a confirmed phone number. Staff roles never get them: use a passkey or an authenticator app. Also the answer when the challenge does not offer the method any more.',
  },
  MFA_CODE_SEND_LIMIT_REACHED: {
    status: 429,
    message: 'No more codes can be sent for this sign-in',
    description:
      'A sign-in challenge sends at most 3 codes (email and SMS together). Use a code already sent, another method, or sign in again for a new challenge.',
  },
  MFA_CODE_DELIVERY_FAILED: {
    status: 503,
    expose: true,
    message: 'The code could not be sent',
    description:
      'The mail server or SMS provider did not accept the message. Nothing else changed; ask again after `resendAfter` seconds, or use another method.',
  },
  MFA_PHONE_ALREADY_ENROLLED: {
    status: 409,
    message: 'A phone number is already set up',
    description: 'An account has one phone number for sign-in codes. Remove it (`DELETE /v1/mfa/phone/{id}`) before adding another.',
  },
  MFA_PHONE_CODE_INVALID: {
    status: 400,
    message: 'The code from the text message is incorrect',
    description:
      'The code does not match the newest one sent to this phone, has expired (10 minutes), or was tried too often (5 times). Ask for a new code and try again.',
  },
  MFA_LOCKED: {
    status: 429,
    message: 'Codes temporarily locked',
    description:
      'Too many wrong second-factor codes for this account; codes are refused until the lockout ends (`Retry-After`). Passkey sign-in still works. The account owner has been told by email.',
  },
  MFA_ENROLMENT_REQUIRED: {
    status: 403,
    message: 'Enrol a second factor first',
    description:
      'Your role requires a second factor you have not set up. This session can only enrol it (register a passkey or an authenticator app), read your account and sign out.',
  },
  PASSWORD_CHANGE_REQUIRED: {
    status: 403,
    message: 'Change your password first',
    description:
      'The password this session was opened with appears in a data breach, so others may know it. This session can only change the password (`POST /v1/accounts/password`), read your account and sign out; then sign in again with the new password.',
  },
  STEP_UP_REQUIRED: {
    status: 401,
    message: 'Confirm it is you to do this',
    description:
      'The action needs a fresh authentication at the level in `challenge.level`. Answer `challenge.token` with one of `challenge.methods` (`POST /v1/step-up/verify` with a code, or `POST /v1/step-up/passkey/options` then `/verify` with a passkey) within `challenge.expiresIn` seconds, then repeat the very same request (method, path, query and body) with the token in the `Portcullis-Step-Up` header. The token works once, for that request and this session only; any other request answers this problem again with a new challenge.',
  },
  STEP_UP_CHALLENGE_INVALID: {
    status: 400,
    message: 'Step-up challenge invalid',
    description:
      'The step-up challenge is unknown, expired, already answered or used, out of attempts, or was issued to another session. Repeat the original request to get a new challenge.',
  },
  STEP_UP_METHOD_NOT_ALLOWED: {
    status: 400,
    message: 'This challenge cannot be answered that way',
    description:
      'The method is not among the challenge’s `methods`: a challenge at level `aal2_phr` accepts only a passkey, and a code works only for a factor the account has.',
  },
  STEP_UP_PASSKEY_FAILED: {
    status: 400,
    message: 'The passkey could not be verified',
    description:
      'The passkey assertion answering a step-up failed verification: it is not from one of your passkeys, was made for other options, another origin or relying party, without user verification, or is malformed. Its WebAuthn challenge is spent; ask for new options (the step-up challenge stays usable until its attempts run out).',
  },
  STEP_UP_UNAVAILABLE: {
    status: 403,
    message: 'No second factor can confirm this action',
    description:
      'The action needs a fresh authentication at a level none of the account’s factors reaches (a passkey for `aal2_phr`; an authenticator app, recovery code or passkey for `aal2`). Enrol one first.',
  },
  SESSION_NOT_FOUND: {
    status: 404,
    message: 'No such session',
    description: 'The session does not exist or does not belong to the caller.',
  },
  DEVICE_NOTICE_INVALID: {
    status: 400,
    message: 'This link is not valid any more',
    description:
      'The "this was not me" link of a new-device email is unknown, expired (after `defense.newDevice.noticeLinkTtlSeconds`) or already used; a link works once. If a device you do not recognise may still be signed in, sign in, review your devices and sign out the ones you do not know, and change your password.',
  },
  RBAC_FORBIDDEN: {
    status: 403,
    message: 'You do not have permission to do this',
    description: 'The caller is authenticated but lacks the permission the route declares.',
  },
  RECORD_NOT_FOUND: {
    status: 404,
    message: 'No such record',
    description:
      'The patient file or entry does not exist, or the caller may not see it: it is not their own file and they hold no active grant for it (a grant with scope `write` is needed to add entries). The two cases answer alike so that a file’s existence does not leak.',
  },
  RECORD_GRANT_NOT_FOUND: {
    status: 404,
    message: 'No such grant',
    description: 'The grant does not exist, is already revoked, or was not given by the caller.',
  },
  RECORD_GRANTEE_INVALID: {
    status: 400,
    message: 'This person cannot be granted access',
    description:
      'Access to a patient file can only be granted to an active account whose roles hold the permission the grant needs (`records:read_granted`; for `write` also `records:write_granted` — by default, clinicians), and never to oneself.',
  },
  PROFILE_NOT_FOUND: {
    status: 404,
    message: 'No such profile',
    description:
      'The account has no profile, does not exist, or the caller may not look profiles up. The cases answer alike so that an account’s existence does not leak.',
  },
  CORS_ORIGIN_FORBIDDEN: {
    status: 403,
    message: 'Origin not allowed',
    description: 'A cross-origin request came from an origin that is not in `http.cors.allowedOrigins`.',
  },
  PASSKEY_CHALLENGE_INVALID: {
    status: 400,
    message: 'The passkey challenge is invalid or has expired',
    description:
      'The challenge signed by the authenticator is unknown, was already used, has expired (after `passkeys.challengeTtlSeconds`), belongs to the other ceremony, or was issued to another session. Ask for new options and run the ceremony again.',
  },
  PASSKEY_REGISTRATION_INVALID: {
    status: 400,
    message: 'The passkey could not be registered',
    description:
      "The authenticator's response failed verification: it was made for another origin or relying party, without user verification, with an unsupported algorithm or attestation, or it is malformed. Nothing was stored.",
  },
  PASSKEY_ALREADY_REGISTERED: {
    status: 409,
    message: 'This passkey is already registered',
    description: 'The credential is already registered. Use it to sign in, or register a passkey from another authenticator.',
  },
  PASSKEY_SIGN_IN_FAILED: {
    status: 401,
    message: 'The passkey could not be verified',
    description:
      'Passkey sign-in failed. The answer is the same whether the credential is unknown, its signature, origin or relying party is wrong, user verification is missing, or the passkey is suspended after a cloned authenticator was detected, so it cannot be used to discover credentials.',
  },
  PASSKEY_NOT_FOUND: {
    status: 404,
    message: 'No such passkey',
    description: 'The passkey does not exist or does not belong to the caller.',
  },
  PASSKEY_LAST_FACTOR: {
    status: 409,
    message: "This passkey is the account's last phishing-resistant factor",
    description:
      'Staff accounts (admin, clinician, support, auditor) must keep at least one usable passkey. Register another passkey before removing this one.',
  },
  RATE_LIMITED: {
    status: 429,
    message: 'Too many requests',
    description: 'Slow down and retry after the number of seconds in the `Retry-After` header.',
  },
  SERVICE_UNAVAILABLE: {
    status: 503,
    expose: true,
    message: 'The service is temporarily unavailable',
    description:
      'A dependency (usually the database) cannot be reached. Retry after the number of seconds in the `Retry-After` header; the server recovers without a restart.',
  },
  KEY_SERVICE_UNAVAILABLE: {
    status: 503,
    expose: true,
    message: 'The key service is temporarily unavailable',
    description:
      'The key service (HSM) that unwraps personal-data keys cannot be reached, so nothing that needs a key is served — never in clear instead. Retry after the number of seconds in the `Retry-After` header; the server recovers without a restart.',
  },
  SERVICE_SHUTTING_DOWN: {
    status: 503,
    expose: true,
    message: 'The service is shutting down',
    description: 'The instance is draining before it stops. Retry; another instance (or this one after restart) answers.',
  },
  HTTPS_REQUIRED: {
    status: 400,
    message: 'HTTPS is required',
    description:
      'The request arrived over plain HTTP. The API is served over HTTPS only; the redirect listener answers every non-GET request this way without processing it.',
  },
  AUDIT_PROOF_RANGE_INVALID: {
    status: 400,
    message: 'The requested audit log proof is outside the log',
    description:
      'An inclusion proof needs 0 ≤ entry < tree size ≤ the current log size; a consistency proof needs 1 ≤ from ≤ to ≤ the current log size. Ask for tree sizes taken from signed checkpoints.',
  },
  ADMIN_ACCOUNT_NOT_FOUND: {
    status: 404,
    message: 'No such account',
    description: 'The account id names no account.',
  },
  ADMIN_SELF_ACTION_FORBIDDEN: {
    status: 403,
    message: 'You cannot do this to your own account',
    description:
      'Locking, resetting the second factors of, or changing the roles of one’s own account needs another administrator (separation of duties).',
  },
  ADMIN_ROLE_UNKNOWN: {
    status: 400,
    message: 'Unknown role',
    description: 'Every role must be one of the roles the deployment configures in `access.roles`.',
  },
  ELEVATION_ROLE_INVALID: {
    status: 400,
    message: 'This role cannot be requested',
    description: 'An elevation must name a role configured in `access.roles` that the account does not already hold.',
  },
  ELEVATION_NOT_FOUND: {
    status: 404,
    message: 'No such elevation',
    description: 'The elevation does not exist, or (for the requester’s own routes) belongs to someone else.',
  },
  ELEVATION_NOT_PENDING: {
    status: 409,
    message: 'This elevation is not waiting for a decision',
    description: 'Only a pending request can be approved or denied, and only an elevation in force or pending can be ended.',
  },
  ELEVATION_APPROVER_INVALID: {
    status: 403,
    message: 'You cannot approve this request',
    description:
      'The approver must be a second person: neither the requester nor the account concerned. Requests for the `admin` role need an approver who is an admin.',
  },
  ERASURE_NOT_FOUND: {
    status: 404,
    message: 'No such erasure request',
    description: 'The erasure request does not exist.',
  },
  ERASURE_NOT_PENDING: {
    status: 409,
    message: 'This erasure is not waiting for approval',
    description: 'The erasure was already carried out (by another approval), or the account was already erased.',
  },
  ERASURE_APPROVER_INVALID: {
    status: 403,
    message: 'You cannot approve this erasure',
    description:
      'An erasure asked for by an administrator runs only when a second administrator approves it: never the requester, never the account concerned.',
  },
  MESSAGING_DEVICE_NOT_FOUND: {
    status: 404,
    message: 'No such messaging device',
    description:
      'The session has registered no messaging device (register one with `POST /v1/messaging/devices`), or a device named in a commit does not exist, was removed, or belongs to someone the messaging policy (`messaging.policy`) does not let every member of the group talk to. The cases answer alike so that no one learns of devices they may not reach.',
  },
  MESSAGING_DEVICE_EXISTS: {
    status: 409,
    message: 'This session already has a messaging device',
    description:
      'A session holds one messaging device. Remove it first (`DELETE /v1/messaging/devices/current`) to register a new credential.',
  },
  MESSAGING_DEVICE_BINDING_REQUIRED: {
    status: 403,
    message: 'A messaging device needs a session bound to a device key',
    description:
      'Only a DPoP-bound session (one whose tokens are bound to the key of the device calling) can register a messaging device; sessions of bearer clients cannot.',
  },
  MESSAGING_ACCOUNT_NOT_FOUND: {
    status: 404,
    message: 'No such account to message',
    description:
      'The account does not exist, or the messaging policy (`messaging.policy`) does not let the caller talk to it — a patient and a clinician only once the patient granted the clinician access to their file. The two cases answer alike.',
  },
  MESSAGING_KEY_PACKAGE_INVALID: {
    status: 400,
    message: 'A KeyPackage is not acceptable',
    description:
      'Each KeyPackage must be an MLSMessage of wire format `mls_key_package`, cipher suite `MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519`, with a BasicCredential whose identity is `<accountId>:<deviceId>` of the uploading device, the device’s registered signature key, and a valid signature.',
  },
  MESSAGING_KEY_PACKAGES_FULL: {
    status: 409,
    message: 'Too many KeyPackages are waiting',
    description:
      'The device already stores as many unclaimed one-time KeyPackages as `messaging.keyPackages.maxUnclaimed` allows; upload more once some are claimed.',
  },
  MESSAGING_GROUP_NOT_FOUND: {
    status: 404,
    message: 'No such conversation',
    description:
      'The group does not exist or the calling device is not a member of it. The two cases answer alike so that a non-member learns nothing about a group, not even who is in it.',
  },
  MESSAGING_GROUP_EXISTS: {
    status: 409,
    message: 'A conversation with this id exists',
    description: 'Group ids are chosen by the creating client; choose a new random one.',
  },
  MESSAGING_MESSAGE_INVALID: {
    status: 400,
    message: 'The MLS message is not acceptable here',
    description:
      'The bytes are not one MLSMessage of the expected kind: a commit must be a handshake message of content type `commit` for this group (a Welcome given exactly when devices are added, and the committing device neither adds itself nor removes itself); an application message must be an `mls_private_message` of content type `application` for this group.',
  },
  MESSAGING_MESSAGE_TOO_LARGE: {
    status: 413,
    message: 'The MLS message is too large',
    description:
      'Application messages are limited to `messaging.maxMessageBytes` and commits with their Welcome to `messaging.maxHandshakeBytes` (decoded bytes).',
  },
  EPOCH_CONFLICT: {
    status: 409,
    message: 'The conversation has moved to another epoch',
    description:
      'A commit is accepted only for the group’s current epoch, and an application message only in it: another member’s commit was accepted first. The problem’s `currentEpoch` says where the group is; fetch and apply the pending handshake messages, then retry.',
  },
  KEY_LOG_PROOF_RANGE_INVALID: {
    status: 400,
    message: 'The requested key log proof is outside the log',
    description:
      'An entry with its inclusion proof needs 0 ≤ index < tree size ≤ the current log size; a consistency proof needs 1 ≤ from ≤ to ≤ the current log size. Ask for tree sizes taken from signed checkpoints.',
  },
  KEY_LOG_ENTRY_NOT_FOUND: {
    status: 404,
    message: 'No such key log entry',
    description: 'The key log has no entry at this index that the caller may read.',
  },
  INTERNAL_ERROR: {
    status: 500,
    message: 'Internal server error',
    description:
      'Something failed on the server. The body never carries details; quote the `requestId` to the operator, who finds the cause in the logs.',
  },
});

export type ErrorCode = keyof typeof ERRORS;

export const ERROR_CODES = Object.keys(ERRORS) as readonly ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERRORS, value);
}
