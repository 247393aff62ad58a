/**
 * @module portcullis-client
 *
 * `PortcullisClient`: a {@link CoreClient} with the everyday features as methods — accounts,
 * sign-in and sessions, second factors, passkeys, step-up and federated sign-in. Each method
 * calls the feature function of the same name, so the two styles behave the same. It is the
 * convenient choice; an app that wants to ship less imports `CoreClient` and the functions it
 * calls from the subpaths instead (`@portcullis/sdk/core`, `/sessions`, …). The records,
 * admin, elevation and audit APIs are functions only (`@portcullis/sdk/records`, …), which
 * take a `PortcullisClient` like any client.
 */
import type {
  Accepted,
  Account,
  ChangePasswordRequest,
  Device,
  FederationProviderList,
  LinkedIdentity,
  LinkedIdentityList,
  MfaCodeSent,
  MfaFactorList,
  MfaSendCodeRequest,
  MfaSignInRequest,
  Passkey,
  PasskeyList,
  PasswordResetConfirm,
  PasswordResetRequest,
  PasswordSignInRequest,
  PhoneCodeSent,
  PhoneConfirmation,
  PhoneEnrolment,
  RecoveryCodes,
  RecoveryCodeStatus,
  SessionList,
  SignUpRequest,
  StepUpVerification,
  TotpConfirmation,
  TotpEnrolment,
  VerifyEmailRequest,
} from '@portcullis/protocol';
import * as accounts from './accounts/accounts.ts';
import { CoreClient } from './core/core-client.ts';
import type { SessionInfo } from './core/session-info.ts';
import * as factorList from './factors/factor-list.ts';
import * as phone from './factors/phone.ts';
import * as recoveryCodes from './factors/recovery-codes.ts';
import * as totp from './factors/totp.ts';
import * as federation from './federation/federated-sign-in.ts';
import type { FederatedSignInDetails, FederationStart, IdTokenSignInExtras } from './federation/provider-flow.ts';
import type { Revoked } from './http/response-shapes.ts';
import type { PasskeyAuthenticator } from './passkeys/passkey-authenticator.ts';
import * as passkeys from './passkeys/passkey-management.ts';
import { signInWithPasskey } from './passkeys/passkey-sign-in.ts';
import { finishPasskeyFirstSignUp, type PasskeyFirstSignUp } from './passkeys/passkey-first-sign-up.ts';
import { confirmPasskeyFirstSignUp, type PasskeyFirstConfirmation } from './accounts/passkey-first.ts';
import * as sessionList from './sessions/session-list.ts';
import * as signInSteps from './sessions/sign-in.ts';
import { signOut } from './sessions/sign-out.ts';
import type { StepUpAnswer, StepUpPrompt } from './step-up/is-step-up-required.ts';
import * as stepUp from './step-up/step-up.ts';

/**
 * Client for the Portcullis API: accounts, DPoP-bound sessions and authenticated requests.
 * Every method is documented on the function it calls (same name, client first).
 *
 * One instance per app (per base URL and token store). All methods are safe to call
 * concurrently; refreshes are shared, so a burst of calls with an expired access token makes
 * one refresh request.
 *
 * @example
 *   import { MemoryTokenStore, PortcullisClient, isApiError } from '@portcullis/sdk';
 *
 *   const client = new PortcullisClient({ baseUrl: 'https://auth.example.com', tokenStore: new MemoryTokenStore() });
 *   await client.signIn({ email, password, device: { label: 'Ada’s phone', platform: 'web' } });
 *   const account = await client.getAccount();
 *   await client.signOut();
 */
export class PortcullisClient extends CoreClient {
  // ── Accounts ───────────────────────────────────────────────────────────────────────────────

  /** Starts sign-up; see `signUp` in `@portcullis/sdk/accounts`. */
  signUp(input: SignUpRequest): Promise<Accepted> {
    return accounts.signUp(this, input);
  }

  /** Confirms the email address with the emailed code; see `verifyEmail`. */
  verifyEmail(input: VerifyEmailRequest): Promise<Account> {
    return accounts.verifyEmail(this, input);
  }

  /** Confirms a passkey-first sign-up on this device: a session that can only register a passkey; see `confirmPasskeyFirstSignUp`. */
  confirmPasskeyFirstSignUp(input: PasskeyFirstConfirmation): Promise<SessionInfo> {
    return confirmPasskeyFirstSignUp(this, input);
  }

  /** Asks for a password-reset code by email; see `requestPasswordReset`. */
  requestPasswordReset(input: PasswordResetRequest): Promise<Accepted> {
    return accounts.requestPasswordReset(this, input);
  }

  /** Sets a new password with the code from the reset email; see `confirmPasswordReset`. */
  confirmPasswordReset(input: PasswordResetConfirm): Promise<void> {
    return accounts.confirmPasswordReset(this, input);
  }

  /** The signed-in account; see `getAccount`. */
  getAccount(): Promise<Account> {
    return accounts.getAccount(this);
  }

  /** Changes the password of the signed-in account; see `changePassword`. */
  changePassword(input: ChangePasswordRequest): Promise<void> {
    return accounts.changePassword(this, input);
  }

  // ── Sign-in and sessions ───────────────────────────────────────────────────────────────────

  /** Signs in with email and password; see `signIn` in `@portcullis/sdk/sessions`. */
  signIn(input: PasswordSignInRequest): Promise<SessionInfo> {
    return signInSteps.signIn(this, input);
  }

  /** Sends a sign-in code by email or SMS for an `MFA_REQUIRED` challenge; see `sendSignInCode`. */
  sendSignInCode(input: MfaSendCodeRequest): Promise<MfaCodeSent> {
    return signInSteps.sendSignInCode(this, input);
  }

  /** Finishes a sign-in that answered `MFA_REQUIRED`; see `completeSignIn`. */
  completeSignIn(input: MfaSignInRequest): Promise<SessionInfo> {
    return signInSteps.completeSignIn(this, input);
  }

  /** Ends this device's session, on the server and locally; see `signOut`. */
  signOut(): Promise<void> {
    return signOut(this);
  }

  /** The account's active sessions; see `listSessions`. */
  listSessions(): Promise<SessionList> {
    return sessionList.listSessions(this);
  }

  /** Revokes one of the account's sessions; see `revokeSession`. */
  revokeSession(sessionId: string): Promise<Revoked> {
    return sessionList.revokeSession(this, sessionId);
  }

  /** Revokes every session of the account except this device's; see `revokeOtherSessions`. */
  revokeOtherSessions(): Promise<Revoked> {
    return sessionList.revokeOtherSessions(this);
  }

  // ── Passkeys ───────────────────────────────────────────────────────────────────────────────

  /** Signs in with a passkey; see `signInWithPasskey` in `@portcullis/sdk/passkeys`. */
  signInWithPasskey(authenticator: PasskeyAuthenticator, device: Device): Promise<SessionInfo> {
    return signInWithPasskey(this, authenticator, device);
  }

  /** Registers a new passkey for the signed-in account; see `registerPasskey`. */
  registerPasskey(authenticator: PasskeyAuthenticator, name: string): Promise<Passkey> {
    return passkeys.registerPasskey(this, authenticator, name);
  }

  /** Confirms a passkey-first sign-up, registers a passkey and signs in with it; see `finishPasskeyFirstSignUp`. */
  finishPasskeyFirstSignUp(
    authenticator: PasskeyAuthenticator,
    input: PasskeyFirstSignUp,
  ): Promise<{ passkey: Passkey; session: SessionInfo }> {
    return finishPasskeyFirstSignUp(this, authenticator, input);
  }

  /** The account's passkeys; see `listPasskeys`. */
  listPasskeys(): Promise<PasskeyList> {
    return passkeys.listPasskeys(this);
  }

  /** Renames a passkey; see `renamePasskey`. */
  renamePasskey(id: string, name: string): Promise<Passkey> {
    return passkeys.renamePasskey(this, id, name);
  }

  /** Removes a passkey (needs a passkey step-up); see `removePasskey`. */
  removePasskey(id: string, prompt: StepUpPrompt): Promise<void> {
    return passkeys.removePasskey(this, id, prompt);
  }

  // ── Second factors ─────────────────────────────────────────────────────────────────────────

  /** Starts adding an authenticator app; see `startTotpEnrolment` in `@portcullis/sdk/factors`. */
  startTotpEnrolment(label?: string): Promise<TotpEnrolment> {
    return totp.startTotpEnrolment(this, label);
  }

  /** Confirms an authenticator app with its first code; see `confirmTotpEnrolment`. */
  confirmTotpEnrolment(factorId: string, code: string): Promise<TotpConfirmation> {
    return totp.confirmTotpEnrolment(this, factorId, code);
  }

  /** Removes an authenticator app (needs a step-up); see `removeTotp`. */
  removeTotp(factorId: string, prompt: StepUpPrompt): Promise<void> {
    return totp.removeTotp(this, factorId, prompt);
  }

  /** The account's second factors; see `listFactors`. */
  listFactors(): Promise<MfaFactorList> {
    return factorList.listFactors(this);
  }

  /** Adds a phone for SMS codes; see `startPhoneEnrolment`. */
  startPhoneEnrolment(phoneNumber: string): Promise<PhoneEnrolment> {
    return phone.startPhoneEnrolment(this, phoneNumber);
  }

  /** Texts a new code to a phone being added; see `resendPhoneCode`. */
  resendPhoneCode(factorId: string): Promise<PhoneCodeSent> {
    return phone.resendPhoneCode(this, factorId);
  }

  /** Confirms a phone with the code texted to it; see `confirmPhoneEnrolment`. */
  confirmPhoneEnrolment(factorId: string, code: string): Promise<PhoneConfirmation> {
    return phone.confirmPhoneEnrolment(this, factorId, code);
  }

  /** Removes the phone (needs a step-up); see `removePhone`. */
  removePhone(factorId: string, prompt: StepUpPrompt): Promise<void> {
    return phone.removePhone(this, factorId, prompt);
  }

  /** How many recovery codes remain; see `getRecoveryCodeStatus`. */
  getRecoveryCodeStatus(): Promise<RecoveryCodeStatus> {
    return recoveryCodes.getRecoveryCodeStatus(this);
  }

  /** Replaces the recovery codes (needs a step-up); see `regenerateRecoveryCodes`. */
  regenerateRecoveryCodes(prompt: StepUpPrompt): Promise<RecoveryCodes> {
    return recoveryCodes.regenerateRecoveryCodes(this, prompt);
  }

  // ── Step-up ────────────────────────────────────────────────────────────────────────────────

  /** Answers a `STEP_UP_REQUIRED` challenge; see `verifyStepUp` in `@portcullis/sdk/step-up`. */
  verifyStepUp(challenge: string, answer: StepUpAnswer): Promise<StepUpVerification> {
    return stepUp.verifyStepUp(this, challenge, answer);
  }

  /** `fetch` that answers a step-up challenge with `prompt` and repeats the request; see `fetchWithStepUp`. */
  fetchWithStepUp(input: string | URL, init: RequestInit, prompt: StepUpPrompt): Promise<Response> {
    return stepUp.fetchWithStepUp(this, input, init, prompt);
  }

  // ── Federated sign-in ──────────────────────────────────────────────────────────────────────

  /** Signs in with a provider's ID token; see `signInWithIdToken` in `@portcullis/sdk/federation`. */
  signInWithIdToken(
    provider: string,
    idToken: string,
    rawNonce: string,
    extras: IdTokenSignInExtras = {},
  ): Promise<SessionInfo & FederatedSignInDetails> {
    return federation.signInWithIdToken(this, provider, idToken, rawNonce, extras);
  }

  /** The providers offering a web sign-in, in button order; see `listFederationProviders`. */
  listFederationProviders(): Promise<FederationProviderList> {
    return federation.listFederationProviders(this);
  }

  /** The URL that starts a web sign-in, and its PKCE verifier; see `startFederation`. */
  startFederation(provider: string, returnTo: string, options: { readonly bindToDeviceKey?: boolean } = {}): Promise<FederationStart> {
    return federation.startFederation(this, provider, returnTo, options);
  }

  /** Redeems the exchange code of a web sign-in; see `redeemFederationCode`. */
  redeemFederationCode(
    code: string,
    codeVerifier: string,
    device?: IdTokenSignInExtras['device'],
  ): Promise<SessionInfo & FederatedSignInDetails> {
    return federation.redeemFederationCode(this, code, codeVerifier, device);
  }

  /** Links a provider with an ID token; see `linkIdentityWithIdToken`. */
  linkIdentityWithIdToken(
    provider: string,
    idToken: string,
    rawNonce: string,
    extras: Pick<IdTokenSignInExtras, 'authorizationCode'> = {},
  ): Promise<LinkedIdentity> {
    return federation.linkIdentityWithIdToken(this, provider, idToken, rawNonce, extras);
  }

  /** Links the provider of a completed web sign-in; see `linkIdentityWithCode`. */
  linkIdentityWithCode(code: string, codeVerifier: string): Promise<LinkedIdentity> {
    return federation.linkIdentityWithCode(this, code, codeVerifier);
  }

  /** The providers linked to the signed-in account; see `listLinkedIdentities`. */
  listLinkedIdentities(): Promise<LinkedIdentityList> {
    return federation.listLinkedIdentities(this);
  }

  /** Unlinks a provider from the signed-in account; see `unlinkIdentity`. */
  unlinkIdentity(id: string): Promise<void> {
    return federation.unlinkIdentity(this, id);
  }
}
