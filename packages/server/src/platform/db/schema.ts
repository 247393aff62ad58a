/**
 * @module platform/db/schema
 *
 * Kysely table types. One interface per table, kept in step with the migrations; timestamps
 * are integer milliseconds since the epoch on both dialects (no time-zone ambiguity).
 */
import type { Generated } from 'kysely';

export interface InstanceMetaTable {
  key: string;
  value: string;
}

export interface AccountsTable {
  id: string;
  /** The normalised address sealed for the account holder (platform/contact; migration 0020). */
  email_sealed: string;
  /** Blind index of the normalised address (unique); null only once the account was erased. */
  email_index: string | null;
  email_verified_at: number | null;
  /** Argon2id PHC string; null for accounts without a password (passkey or federated only). */
  password_hash: string | null;
  password_changed_at: number | null;
  /** JSON array of role names. */
  roles: string;
  status: 'active' | 'locked';
  created_at: number;
  updated_at: number;
  /** Set when the account was erased: the row is then a tombstone holding no personal data (migration 0021). */
  erased_at?: number | null;
}

export interface OneTimeCodesTable {
  id: string;
  account_id: string;
  purpose: 'verify_email' | 'reset_password';
  /** HMAC-SHA-256 of the code under the key ring's code key. */
  code_hash: string;
  attempts: number;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface OutboxTable {
  id: string;
  channel: 'email' | 'sms';
  recipient: string;
  subject: string;
  body: string;
  created_at: number;
}

export interface SessionsTable {
  id: string;
  account_id: string;
  /** RFC 7638 thumbprint of the DPoP key every token of this session is bound to. */
  jkt: string;
  aal: string;
  /** JSON array of RFC 8176 method values. */
  amr: string;
  auth_time: number;
  /** The label the app gave the device, sealed for the account holder (modules/sessions/device-labels.ts). */
  device_label: string;
  device_platform: string;
  app_version: string | null;
  /** Coarse network location: IPv4 /24 or IPv6 /48. */
  ip_prefix: string;
  created_at: number;
  last_used_at: number;
  idle_expires_at: number;
  absolute_expires_at: number;
  revoked_at: number | null;
  revoked_reason: string | null;
  /**
   * Null for a full session; for a restricted one, the JSON array of factors it may enrol
   * (platform/routes/contract.ts `ENROLMENT_FACTORS`; see modules/sessions/restriction.ts).
   */
  restricted_to: string | null;
}

export interface SessionTokensTable {
  /** The public `<id>` part of `<id>.<secret>`. */
  id: string;
  session_id: string;
  kind: 'access' | 'refresh';
  /** HMAC-SHA-256 of the secret part; the secret itself is never stored. */
  secret_hash: string;
  created_at: number;
  expires_at: number;
  /** Refresh tokens: when the token was rotated. */
  used_at: number | null;
}

/**
 * One audit event, which is also one entry of the tamper-evident log: `log_index` is its leaf
 * index in the Merkle tree (0, 1, 2, … with no gaps), and its canonical JSON is what is hashed.
 */
export interface AuditEventsTable {
  log_index: number;
  occurred_at: number;
  action: string;
  outcome: 'success' | 'failure';
  actor_id: string | null;
  subject_id: string | null;
  session_id: string | null;
  request_id: string | null;
  ip_prefix: string | null;
  reason: string | null;
}

export interface MfaTotpFactorsTable {
  id: string;
  account_id: string;
  label: string;
  /** The seed sealed with AES-256-GCM, bound to account and factor id (`v1.<nonce>.<ciphertext>.<tag>`). */
  secret_ciphertext: string;
  /** RFC 6238 time step of the last accepted code; only strictly newer steps are accepted. */
  last_step: number;
  created_at: number;
  /** Null while the enrolment is pending. */
  confirmed_at: number | null;
  /** When a pending enrolment is discarded; null once confirmed. */
  expires_at: number | null;
  last_used_at: number | null;
}

export interface MfaRecoveryCodeSetsTable {
  account_id: string;
  id: string;
  created_at: number;
}

export interface MfaRecoveryCodesTable {
  id: string;
  account_id: string;
  /** HMAC-SHA-256 of the normalised code under the key ring's code key. */
  code_hash: string;
  created_at: number;
  used_at: number | null;
}

export interface PasskeyCredentialsTable {
  /** Our id (`pk_…`), used in URLs; the WebAuthn credential id is `credential_id`. */
  id: string;
  account_id: string;
  /** WebAuthn credential id, base64url. */
  credential_id: string;
  /** COSE public key, base64url. */
  public_key: string;
  /** The user handle the credential was created with (base64url); checked at sign-in. */
  user_handle: string;
  /** Last signature counter seen; 0 for authenticators without one (synced passkeys). */
  sign_count: number;
  /** JSON array of transports. */
  transports: string;
  /** 0/1: the credential may be synced (BE flag). */
  backup_eligible: number;
  /** 0/1: the credential was backed up when last seen (BS flag). */
  backed_up: number;
  aaguid: string;
  /** Attestation statement format at registration (`none`, `packed`, `apple`, …). */
  attestation_format: string;
  /** `none`, `self`, `unanchored` (certificate not checked against a root) or `anchored`. */
  attestation_trust: string;
  name: string;
  created_at: number;
  last_used_at: number | null;
  /** Set when a cloned authenticator was detected; sign-in with the credential is then refused. */
  suspended_at: number | null;
  suspended_reason: string | null;
}

export interface PasskeyChallengesTable {
  /** SHA-256 (base64url) of the challenge; the challenge itself is never stored. */
  challenge_hash: string;
  purpose: 'registration' | 'authentication';
  /** Registration: the account and session that asked; sign-in: null. */
  account_id: string | null;
  session_id: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** A perfect subtree of the audit log's Merkle tree, stored when completed: leaves `[idx·2^level, (idx+1)·2^level)`. */
export interface AuditLogNodesTable {
  level: number;
  idx: number;
  /** SHA-256, lower-case hex; level 0 holds the leaf hashes. */
  hash: string;
}

/** The single row (`id` 1) every append locks: the tree size and its frontier, so an append reads nothing else. */
export interface AuditLogHeadTable {
  id: number;
  tree_size: number;
  /** Roots of the perfect subtrees of the tree, largest first, as concatenated lower-case hex. */
  frontier: string;
}

/** A signed tree head: the C2SP checkpoint (signed note) for the tree of `tree_size` entries. */
export interface AuditLogCheckpointsTable {
  tree_size: number;
  /** MTH of the first `tree_size` entries, lower-case hex. */
  root_hash: string;
  created_at: number;
  /** The signed note exactly as published: checkpoint body, blank line, Ed25519 signature line. */
  note: string;
}

export interface ExternalIdentitiesTable {
  id: string;
  account_id: string;
  /** Provider id from `federation.providers`; with `subject` it names the person (never an email). */
  provider: string;
  subject: string;
  /** Normalised address the provider last reported, if any, sealed for the account holder (migration 0020). */
  email_sealed: string | null;
  /** 1 when the provider said it verified `email` (Apple private-relay addresses count as verified). */
  email_verified: number;
  is_private_email: number;
  /** Apple `email-disabled`: the person stopped relay forwarding; null while forwarding works. */
  email_forwarding_disabled_at: number | null;
  /** Client id the provider token was issued to (Apple: Services ID or bundle id). */
  provider_client_id: string | null;
  /** Provider refresh token sealed with AES-256-GCM (kept only to revoke it later). */
  provider_token: string | null;
  /** `event_time` of the newest provider notification applied; older ones are ignored. */
  last_event_at: number | null;
  created_at: number;
  last_used_at: number;
}

export interface FederationFlowsTable {
  /** SHA-256 (base64url) of the `state` sent to the provider. */
  id: string;
  provider: string;
  /** SHA-256 (base64url) of the browser-binding cookie value. */
  binding_hash: string;
  return_url: string;
  /** The app's S256 PKCE challenge for the exchange code. */
  code_challenge: string;
  dpop_jkt: string | null;
  created_at: number;
  expires_at: number;
}

export interface FederationExchangeCodesTable {
  /** SHA-256 (base64url) of the exchange code. */
  id: string;
  provider: string;
  subject: string;
  /** The provider's normalised address, sealed under the service subject (no account yet). */
  email_sealed: string | null;
  email_verified: number;
  is_private_email: number;
  /** JSON `{ givenName?, familyName? }` handed to the app once, sealed like `email_sealed`; deleted with the row. */
  profile: string | null;
  provider_client_id: string | null;
  provider_token: string | null;
  code_challenge: string;
  dpop_jkt: string | null;
  created_at: number;
  expires_at: number;
}

export interface FederationReplayGuardTable {
  /** SHA-256 (base64url) of what must not be accepted twice (an ID-token nonce, a notification id). */
  id: string;
  expires_at: number;
}

/** The state between a first factor and the second one (`MFA_REQUIRED`). */
export interface MfaChallengesTable {
  /** `mc_…`, the public half of the challenge token. */
  id: string;
  /** HMAC-SHA-256 of the challenge secret under the `token-hmac` key. */
  secret_hash: string;
  account_id: string;
  /** Binding of the request that passed the first factor; the second must come from the same key. */
  jkt: string;
  /** JSON array of the first factor's RFC 8176 values. */
  first_factor_amr: string;
  required_level: string;
  /** JSON `{ label, platform, appVersion? }` of the device signing in, sealed for the account holder. */
  device: string;
  attempts: number;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  /** Why the sign-in was challenged (`ChallengeReason`, migration 0014). */
  reason: string;
  /** What the session the answer opens may do, as `sessions.restricted_to` (null: a full session). */
  restricted_to: string | null;
}

/** DPoP keys that have held a session of the account (migration 0014; modules/sessions/known-devices.ts). */
export interface KnownDevicesTable {
  account_id: string;
  /** RFC 7638 thumbprint of the device's DPoP key. */
  jkt: string;
  first_seen_at: number;
  last_seen_at: number;
  /** JSON array of the coarse network prefixes it signed in from, newest first (migration 0016). */
  networks: string;
}

/** The single-use "this was not me" link of one new-device email (only its secret's HMAC is stored). */
export interface DeviceNoticesTable {
  /** The public `dn_…` part of `<id>.<secret>`. */
  id: string;
  /** The session the email reports, which the link ends. */
  session_id: string;
  account_id: string;
  /** HMAC-SHA-256 of the secret part under the `token-hmac` key; the secret itself is never stored. */
  secret_hash: string;
  created_at: number;
  expires_at: number;
  /** When the link was used; it works once. */
  used_at: number | null;
}

/** Wrong second-factor codes per account, across challenges, and the resulting lockout. */
export interface SecondFactorBudgetsTable {
  account_id: string;
  failures: number;
  locked_until: number | null;
  updated_at: number;
}

/** A step-up challenge (`STEP_UP_REQUIRED`): one session, one action, answered once, used once. */
export interface StepUpChallengesTable {
  /** `su_…`, the public half of the challenge token. */
  id: string;
  /** HMAC-SHA-256 of the challenge secret under the `token-hmac` key. */
  secret_hash: string;
  /** The session that was asked; only it may answer and use the challenge. */
  session_id: string;
  account_id: string;
  /** SHA-256 (base64url) of the action: method, path, query and body (platform/routes/step-up.ts). */
  action_digest: string;
  /** Level the action needs: `aal2` or `aal2_phr`. */
  level: string;
  /** JSON array of the methods offered (`totp`, `recovery_code`, `passkey`). */
  methods: string;
  /** Answers tried, right or wrong. */
  attempts: number;
  /** Random value the WebAuthn challenge is derived from, while a passkey ceremony is open; null otherwise. */
  passkey_nonce: string | null;
  created_at: number;
  expires_at: number;
  verified_at: number | null;
  /** Level the answer reached. */
  verified_level: string | null;
  /** JSON array of RFC 8176 values of the answer. */
  verified_amr: string | null;
  used_at: number | null;
}

/** An entry of a patient file: a declared record type and its fields (migration 0019; modules/records). */
export interface RecordEntriesTable {
  id: string;
  patient_account_id: string;
  author_account_id: string;
  /** A declared entry type (`records.types`). */
  type: string;
  /** JSON object, field → value: `public` values as they are, every other one `{ "sealed": … }` under the patient's data key. */
  fields: string;
  created_at: number;
}

/** A person's profile: the one record of the declared `profile` type (migration 0019; modules/records). */
export interface ProfilesTable {
  account_id: string;
  /** JSON object, field → value: shared-as-`public` values as they are, every other one `{ "sealed": … }` under the person's data key. */
  fields: string;
  /** JSON object, field → the classification the person chose. */
  sharing: string;
  updated_at: number;
}

/** A patient's revocable grant of access to their file. */
export interface RecordGrantsTable {
  id: string;
  patient_account_id: string;
  grantee_account_id: string;
  scope: 'read' | 'write';
  created_at: number;
  /** Null while the grant is in force. */
  revoked_at: number | null;
}

/** A phone number that receives sign-in codes by SMS; never stored in clear. */
export interface MfaPhoneFactorsTable {
  id: string;
  account_id: string;
  /** The E.164 number sealed for the account holder (platform/data-protection), bound to this row. */
  phone_ciphertext: string;
  /** Blind index of the E.164 number (`blindIndex('phone', …)`), for look-ups and per-number limits. */
  phone_hash: string;
  created_at: number;
  /** Null while the number is not yet confirmed with a code sent to it. */
  confirmed_at: number | null;
  /** When a pending phone factor is discarded; null once confirmed. */
  expires_at: number | null;
  last_used_at: number | null;
}

/** A one-time code sent by email or SMS, stored only as a keyed hash. */
export interface MfaSentCodesTable {
  id: string;
  account_id: string;
  purpose: 'sign_in' | 'phone_verification';
  /** What the code answers: a sign-in challenge id (`mc_…`) or a pending phone factor id. */
  binding_id: string;
  channel: 'email' | 'sms';
  /** HMAC-SHA-256 of the code, bound to account, purpose, binding and channel. */
  code_hash: string;
  attempts: number;
  created_at: number;
  expires_at: number;
  /** Set when the code was accepted or replaced by a newer one. */
  used_at: number | null;
}

/** Messages sent per key within a window, for atomic send throttling. */
export interface MfaSendLimitsTable {
  /** `challenge:<id>`, `enrol:<account id>` or `number:<phone hash>`. */
  key: string;
  sends: number;
  last_sent_at: number;
  window_ends_at: number;
}

/** A subject's data key, wrapped by a key-service KEK (migration 0017; platform/data-protection). */
export interface DataKeysTable {
  /** Account id, or a reserved `~…` id for the service's own keys (`~service`, `~blind-index`). */
  subject_id: string;
  /** Data-key version, bound into every value sealed under it. */
  version: number;
  /** The KEK version that wrapped it (platform/kms). */
  kek_version: string;
  /** `base64url(iv ‖ ciphertext ‖ tag)` from `KeyService.wrap`. */
  wrapped: string;
  created_at: number;
}

/** Subjects whose data keys were destroyed (erasure); no key is created for them again. */
export interface ErasedSubjectsTable {
  subject_id: string;
  erased_at: number;
}

export interface Database {
  instance_meta: InstanceMetaTable;
  accounts: AccountsTable;
  one_time_codes: OneTimeCodesTable;
  outbox: OutboxTable;
  sessions: SessionsTable;
  session_tokens: SessionTokensTable;
  audit_events: AuditEventsTable;
  audit_log_nodes: AuditLogNodesTable;
  audit_log_head: AuditLogHeadTable;
  audit_log_checkpoints: AuditLogCheckpointsTable;
  passkey_credentials: PasskeyCredentialsTable;
  passkey_challenges: PasskeyChallengesTable;
  mfa_totp_factors: MfaTotpFactorsTable;
  mfa_recovery_code_sets: MfaRecoveryCodeSetsTable;
  mfa_recovery_codes: MfaRecoveryCodesTable;
  external_identities: ExternalIdentitiesTable;
  federation_flows: FederationFlowsTable;
  federation_exchange_codes: FederationExchangeCodesTable;
  federation_replay_guard: FederationReplayGuardTable;
  mfa_challenges: MfaChallengesTable;
  known_devices: KnownDevicesTable;
  device_notices: DeviceNoticesTable;
  second_factor_budgets: SecondFactorBudgetsTable;
  mfa_phone_factors: MfaPhoneFactorsTable;
  mfa_sent_codes: MfaSentCodesTable;
  mfa_send_limits: MfaSendLimitsTable;
  step_up_challenges: StepUpChallengesTable;
  record_entries: RecordEntriesTable;
  record_grants: RecordGrantsTable;
  profiles: ProfilesTable;
  role_elevations: RoleElevationsTable;
  data_keys: DataKeysTable;
  erased_subjects: ErasedSubjectsTable;
  account_erasures: AccountErasuresTable;
  messaging_devices: MessagingDevicesTable;
  messaging_key_packages: MessagingKeyPackagesTable;
  messaging_groups: MessagingGroupsTable;
  messaging_group_members: MessagingGroupMembersTable;
  messaging_messages: MessagingMessagesTable;
  messaging_mailbox: MessagingMailboxTable;
  messaging_attachments: MessagingAttachmentsTable;
  key_log_entries: KeyLogEntriesTable;
  key_log_nodes: KeyLogNodesTable;
  key_log_head: KeyLogHeadTable;
  key_log_checkpoints: KeyLogCheckpointsTable;
}

/** A messaging device: the MLS credential of one signed-in session (migration 0022; modules/messaging). */
export interface MessagingDevicesTable {
  /** `dev_` and 22 base64url characters. */
  id: string;
  account_id: string;
  /** The session it was registered from; at most one device not removed per session. */
  session_id: string;
  /** Ed25519 public key, base64url. */
  signature_key: string;
  /** Index of the device's `add` entry in the key transparency log. */
  key_log_index: number;
  created_at: number;
  removed_at: number | null;
  /** `signed_out`, `session_revoked`, `session_expired` or `account_erased`. */
  removed_reason: string | null;
}

/** A KeyPackage a device uploaded (migration 0022). */
export interface MessagingKeyPackagesTable {
  id: string;
  device_id: string;
  kind: 'one_time' | 'last_resort';
  /** The MLSMessage (wire format `mls_key_package`), base64url. */
  key_package: string;
  created_at: number;
  /** When a one-time package was handed out; last-resort packages are never marked. */
  claimed_at: number | null;
}

/** A conversation: an MLS group and its current epoch (migration 0022). */
export interface MessagingGroupsTable {
  /** The MLS group id, base64url. */
  id: string;
  epoch: number;
  /** The device that created it. */
  created_by: string;
  created_at: number;
}

/** A device's membership of a group (migration 0022). */
export interface MessagingGroupMembersTable {
  group_id: string;
  device_id: string;
  account_id: string;
  /** The epoch the device joined at (0 for the creator). */
  joined_epoch: number;
  joined_at: number;
  removed_at: number | null;
}

/** A message to deliver, stored once (migration 0022). */
export interface MessagingMessagesTable {
  /** Delivery order; per recipient device, entries commit in `seq` order. */
  seq: Generated<number>;
  group_id: string;
  sender_device_id: string;
  kind: 'welcome' | 'commit' | 'application';
  /** The MLSMessage, base64url (ciphertext apart from its header). */
  payload: string;
  created_at: number;
}

/** An encrypted attachment of a conversation (migration 0024); the server never holds its key. */
export interface MessagingAttachmentsTable {
  /** `att_` and 22 base64url characters. */
  id: string;
  group_id: string;
  uploader_device_id: string;
  size: number;
  /** The ciphertext the client uploaded. */
  content: Uint8Array;
  created_at: number;
}

/** A message a device has still to receive (migration 0022). */
export interface MessagingMailboxTable {
  device_id: string;
  seq: number;
}

/** An erasure: pending until a second administrator approves it, or done (migration 0021; modules/erasure). */
export interface AccountErasuresTable {
  /** Also the receipt id. */
  id: string;
  account_id: string;
  /** The requesting administrator's reason; null for a person's own erasure. */
  reason: string | null;
  requested_by: string;
  requested_at: number;
  approved_by: string | null;
  /** Null while pending. */
  erased_at: number | null;
  /** JSON receipt (counts only), once erased. */
  receipt: string | null;
}

/** A time-boxed elevation or a role grant awaiting approval (migration 0012; modules/elevation). */
export interface RoleElevationsTable {
  id: string;
  account_id: string;
  role: string;
  /** `elevation`: for `duration_seconds` once approved; `grant`: a permanent role change awaiting a second admin. */
  kind: 'elevation' | 'grant';
  /** The requester's reason (free text; never copied to the audit log). */
  reason: string;
  /** Who asked: the account itself for an elevation, the granting admin for a grant. */
  requested_by: string;
  requested_at: number;
  duration_seconds: number | null;
  approved_by: string | null;
  approved_at: number | null;
  /** When an approved elevation ends; null for pending requests and grants. */
  expires_at: number | null;
  revoked_at: number | null;
  revoked_by: string | null;
}

/** One entry of the key transparency log (migration 0023; modules/key-log): a device credential key added or removed. */
export interface KeyLogEntriesTable {
  /** Position in the log: gapless from 0, the Merkle leaf index. */
  log_index: number;
  op: 'add' | 'remove';
  account_id: string;
  device_id: string;
  /** The device's Ed25519 public key (32 bytes), base64url without padding. */
  signature_key: string;
  /** When the entry was appended, epoch milliseconds. */
  at: number;
  /** SHA-256(0x00 ‖ encoded entry), lower-case hex: the leaf of the tree. */
  leaf_hash: string;
}

/** Every completed perfect subtree of the key log's tree (leaves at level 0), as for the audit log. */
export interface KeyLogNodesTable {
  level: number;
  idx: number;
  /** SHA-256, lower-case hex. */
  hash: string;
}

/** The single row (`id` 1) every key-log append locks: the tree size and its frontier. */
export interface KeyLogHeadTable {
  id: number;
  tree_size: number;
  /** Roots of the perfect subtrees of the tree, largest first, as concatenated lower-case hex. */
  frontier: string;
}

/** A signed tree head of the key log: the C2SP checkpoint for the tree of `tree_size` entries. */
export interface KeyLogCheckpointsTable {
  tree_size: number;
  /** MTH of the first `tree_size` entries, lower-case hex. */
  root_hash: string;
  created_at: number;
  /** The signed note exactly as published. */
  note: string;
}
