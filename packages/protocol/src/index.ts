/**
 * @module @portcullis/protocol
 *
 * The wire contract shared by server, SDK and scanner. Isomorphic: no Node or DOM globals, and
 * no imports from any other workspace package.
 */
export { ERRORS, ERROR_CODES, isErrorCode } from './errors.ts';
export type { ErrorCode, ErrorDefinition } from './errors.ts';
export { AuthChallengeSchema, PROBLEM_CONTENT_TYPE, ProblemSchema, ValidationIssueSchema, problemTypeFor } from './problem.ts';
export type { AuthChallenge, Problem, ValidationIssue } from './problem.ts';
export { HealthSchema, ReadinessSchema } from './health.ts';
export type { Health, Readiness } from './health.ts';
export {
  AcceptedSchema,
  AccountSchema,
  ChangePasswordRequestSchema,
  EmailSchema,
  PasswordResetConfirmSchema,
  PasswordResetRequestSchema,
  PasswordSchema,
  SignUpRequestSchema,
  VerificationCodeSchema,
  VerifyEmailRequestSchema,
} from './accounts.ts';
export type {
  Accepted,
  Account,
  ChangePasswordRequest,
  PasswordResetConfirm,
  PasswordResetRequest,
  SignUpRequest,
  VerifyEmailRequest,
} from './accounts.ts';
export {
  AppleAppSiteAssociationSchema,
  AssetLinksSchema,
  AuthenticationCredentialSchema,
  PasskeyCreationOptionsSchema,
  PasskeyIdParamsSchema,
  PasskeyListSchema,
  PasskeyNameSchema,
  PasskeyOptionsRequestSchema,
  PasskeyRegistrationRequestSchema,
  PasskeyRenameRequestSchema,
  PasskeyRequestOptionsSchema,
  PasskeySchema,
  PasskeySignInRequestSchema,
  RegistrationCredentialSchema,
} from './passkeys.ts';
export type {
  AppleAppSiteAssociation,
  AssetLinks,
  AuthenticationCredential,
  Passkey,
  PasskeyCreationOptions,
  PasskeyList,
  PasskeyRegistrationRequest,
  PasskeyRenameRequest,
  PasskeyRequestOptions,
  PasskeySignInRequest,
  RegistrationCredential,
} from './passkeys.ts';
export {
  DEVICE_PLATFORMS,
  DPOP_ALGORITHMS,
  DPOP_HEADER,
  DPOP_NONCE_HEADER,
  BEARER_CLIENT_HEADER,
  DeviceSchema,
  IntrospectionRequestSchema,
  IntrospectionResponseSchema,
  MfaSignInRequestSchema,
  PasswordSignInRequestSchema,
  RefreshRequestSchema,
  RevokedSchema,
  SessionIdParamsSchema,
  SessionListSchema,
  SessionSchema,
  TokenResponseSchema,
} from './sessions.ts';
export type {
  Device,
  IntrospectionResponse,
  Revoked,
  MfaSignInRequest,
  PasswordSignInRequest,
  RefreshRequest,
  Session,
  SessionList,
  TokenResponse,
} from './sessions.ts';
export {
  MFA_FACTOR_KINDS,
  MfaFactorIdParamsSchema,
  MfaFactorListSchema,
  MfaFactorSchema,
  RECOVERY_CODE_COUNT,
  RecoveryCodeSchema,
  RecoveryCodeStatusSchema,
  RecoveryCodesSchema,
  TOTP_DIGITS,
  TOTP_PERIOD_SECONDS,
  TotpCodeSchema,
  TotpConfirmRequestSchema,
  TotpConfirmationSchema,
  TotpEnrolmentRequestSchema,
  TotpEnrolmentSchema,
} from './mfa.ts';
export type {
  MfaFactor,
  MfaFactorKind,
  MfaFactorList,
  RecoveryCodeStatus,
  RecoveryCodes,
  TotpConfirmRequest,
  TotpConfirmation,
  TotpEnrolment,
  TotpEnrolmentRequest,
} from './mfa.ts';
export {
  AppleNotificationRequestSchema,
  ExchangeCodeSignInRequestSchema,
  FEDERATION_CODE_CHALLENGE_METHOD,
  FEDERATION_RETURN_PARAMS,
  FederatedProfileSchema,
  FederatedSignInResponseSchema,
  FederationCallbackParamsSchema,
  FederationStartQuerySchema,
  IdTokenSignInRequestSchema,
  LinkedIdentityListSchema,
  LinkedIdentitySchema,
  LinkExchangeRequestSchema,
  LinkIdParamsSchema,
  LinkIdTokenRequestSchema,
  ProviderIdSchema,
  ProviderParamsSchema,
} from './federation.ts';
export type {
  AppleNotificationRequest,
  ExchangeCodeSignInRequest,
  FederatedProfile,
  FederatedSignInResponse,
  FederationCallbackParams,
  FederationStartQuery,
  IdTokenSignInRequest,
  LinkedIdentity,
  LinkedIdentityList,
  LinkExchangeRequest,
  LinkIdTokenRequest,
} from './federation.ts';
export {
  STEP_UP_HEADER,
  STEP_UP_TOKEN_PATTERN,
  StepUpPasskeyOptionsRequestSchema,
  StepUpPasskeyOptionsSchema,
  StepUpPasskeyVerifyRequestSchema,
  StepUpTokenSchema,
  StepUpVerificationSchema,
  StepUpVerifyRequestSchema,
} from './step-up.ts';
export type {
  StepUpPasskeyOptions,
  StepUpPasskeyOptionsRequest,
  StepUpPasskeyVerifyRequest,
  StepUpVerification,
  StepUpVerifyRequest,
} from './step-up.ts';
export {
  NewRecordEntrySchema,
  NewRecordGrantSchema,
  PatientEntryParamsSchema,
  PatientParamsSchema,
  RecordEntryKindSchema,
  RecordEntryListSchema,
  RecordEntryParamsSchema,
  RecordEntrySchema,
  RecordGrantListSchema,
  RecordGrantParamsSchema,
  RecordGrantSchema,
  RecordGrantScopeSchema,
} from './records.ts';
export type { NewRecordEntry, NewRecordGrant, RecordEntry, RecordEntryList, RecordGrant, RecordGrantList } from './records.ts';
