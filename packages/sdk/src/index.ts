/**
 * @module @portcullis/sdk
 *
 * The Portcullis client for browsers, React Native and Node. This entry has everything:
 * `PortcullisClient` (a `CoreClient` with the everyday features as methods) and every feature
 * function. Each feature is also its own subpath — `@portcullis/sdk/core`, `/accounts`,
 * `/sessions`, `/factors`, `/passkeys`, `/federation`, `/step-up`, `/records`, `/admin`,
 * `/elevation`, `/audit`, `/key-transparency` — and the package has no side effects, so a bundler keeps only what the
 * app calls. The SDK depends on `@portcullis/protocol` for types only and uses no Node API; the
 * wire types it hands out are re-exported so apps need no second import.
 *
 * @example
 *   import { MemoryTokenStore, PortcullisClient, isApiError } from '@portcullis/sdk';
 *
 *   const client = new PortcullisClient({ baseUrl: 'https://auth.example.com', tokenStore: new MemoryTokenStore() });
 *   await client.signIn({ email, password, device: { label: 'Web', platform: 'web' } });
 */
export { PortcullisClient } from './portcullis-client.ts';
export * from './core/index.ts';
export * from './accounts/index.ts';
export * from './sessions/index.ts';
export * from './factors/index.ts';
export * from './passkeys/index.ts';
export * from './federation/index.ts';
export * from './step-up/index.ts';
export * from './records/index.ts';
export * from './admin/index.ts';
export * from './elevation/index.ts';
export * from './audit/index.ts';
export * from './key-transparency/index.ts';

// Wire types of the results and inputs, from the shared contract.
export type {
  Accepted,
  Account,
  AuthChallenge,
  ChangePasswordRequest,
  Device,
  CodeChannel,
  MfaCodeSent,
  MfaFactor,
  MfaFactorList,
  MfaSendCodeRequest,
  MfaSignInRequest,
  PhoneCodeSent,
  PhoneConfirmation,
  PhoneEnrolment,
  RecoveryCodes,
  RecoveryCodeStatus,
  NewRecordEntry,
  NewRecordGrant,
  RecordEntry,
  RecordEntryList,
  RecordGrant,
  RecordGrantList,
  AdminAccount,
  AdminAccountDetail,
  AdminAccountList,
  AdminActionResult,
  AdminAlertList,
  AdminOverview,
  RoleCoverage,
  MfaResetResult,
  RolesChangeResult,
  Elevation,
  ElevationList,
  ElevationRequest,
  AuditCheckpoint,
  AuditConsistencyProof,
  AuditEntry,
  AuditEntryList,
  AuditInclusionProof,
  AuditLatestCheckpoint,
  KeyLogCheckpoint,
  KeyLogConsistencyProof,
  KeyLogEntry,
  KeyLogEntryWithProof,
  KeyLogInclusionProof,
  KeyLogLeafInput,
  KeyLogOp,
  AuthenticationCredential,
  Passkey,
  PasskeyCreationOptions,
  PasskeyList,
  PasskeyRequestOptions,
  RegistrationCredential,
  ErrorCode,
  LinkedIdentity,
  LinkedIdentityList,
  PasswordResetConfirm,
  PasswordResetRequest,
  PasswordSignInRequest,
  Session,
  SessionList,
  SignUpRequest,
  StepUpPasskeyOptions,
  StepUpVerification,
  TotpConfirmation,
  TotpEnrolment,
  ValidationIssue,
  VerifyEmailRequest,
} from '@portcullis/protocol';
