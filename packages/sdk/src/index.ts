/**
 * @module @portcullis/sdk
 *
 * The Portcullis client for browsers and React Native. This file is the package's only public
 * entry: everything exported is listed here by name, and anything not listed is internal. The
 * SDK depends on `@portcullis/protocol` only and uses no Node API; the wire types it hands out
 * are re-exported so apps need no second import.
 *
 * @example
 *   import { MemoryTokenStore, PortcullisClient, isApiError } from '@portcullis/sdk';
 *
 *   const client = new PortcullisClient({ baseUrl: 'https://auth.example.com', tokenStore: new MemoryTokenStore() });
 *   await client.signIn({ email, password, device: { label: 'Web', platform: 'web' } });
 */
export { PortcullisClient } from './client.ts';
export type { SessionInfo } from './client.ts';
export type { PortcullisClientOptions } from './client-options.ts';
export type { Clock } from './clock.ts';

export { ApiError, CLIENT_ERROR_CODES, ClientError, isApiError, isClientError, isMfaRequired } from './errors.ts';
export { isStepUpRequired } from './step-up.ts';
export type { StepUpAnswer, StepUpPrompt } from './step-up.ts';
export type { ApiErrorInit, ClientErrorCode, ClientErrorOptions } from './errors.ts';

export { createDpopKey } from './dpop/create-dpop-key.ts';
export { signDpopProof } from './dpop/sign-dpop-proof.ts';
export type { DpopProofHeader, DpopProofPayload, SignDpopProofOptions } from './dpop/sign-dpop-proof.ts';
export type { DpopPublicJwk } from './dpop/dpop-key-pair.ts';
export { MemoryDpopKeyStore } from './dpop/key-store.ts';
export type { DpopKeyStore } from './dpop/key-store.ts';

export { browserPasskeyAuthenticator } from './passkeys/browser-passkey-authenticator.ts';
export type { PasskeyAuthenticator } from './passkeys/passkey-authenticator.ts';

export { createFederationStart, createNonce, readFederationReturn } from './federation.ts';
export type { FederatedSignInDetails, FederationNonce, FederationReturn, FederationStart, IdTokenSignInExtras } from './federation.ts';

export { MemoryTokenStore } from './storage/token-store.ts';
export type { StoredTokens, TokenStore } from './storage/token-store.ts';

export type { Revoked } from './http/response-shapes.ts';

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
  AuthenticationCredential,
  Passkey,
  PasskeyCreationOptions,
  PasskeyList,
  PasskeyRequestOptions,
  RegistrationCredential,
  ErrorCode,
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
