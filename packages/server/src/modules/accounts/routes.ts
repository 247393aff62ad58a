/**
 * @module modules/accounts/routes
 *
 * HTTP surface of accounts: sign-up, email verification (which, after a passkey-first sign-up,
 * mints a session bound to the request's DPoP key that can only register a passkey), password
 * sign-in (which mints a session bound to the request's DPoP key), the signed-in person's
 * account, password change and reset. With `passwords.enabled: false` the password routes stay
 * in the API and in the OpenAPI document, say so there, and answer `403 PASSWORDS_DISABLED`
 * before their body is read.
 */
import type { FastifyRequest, onRequestHookHandler } from 'fastify';
import {
  AcceptedSchema,
  AccountSchema,
  ChangePasswordRequestSchema,
  PasskeyFirstSignUpRequestSchema,
  PasswordResetConfirmSchema,
  PasswordResetRequestSchema,
  PasswordSignInRequestSchema,
  PasswordSignUpRequestSchema,
  SignUpRequestSchema,
  TokenResponseSchema,
  VerifyEmailRequestSchema,
} from '@portcullis/protocol';
import { appError } from '../../platform/errors/app-error.ts';
import { networkOf } from '../../platform/http/ip-prefix.ts';
import type { TokenRequestProof } from '../sessions/index.ts';
import { principalOf, requestContext } from '../../platform/routes/request.ts';
import {
  changePassword,
  confirmPasswordReset,
  getAccount,
  requestPasswordReset,
  signInWithPassword,
  signUp,
  verifyEmail,
  type AccountsDeps,
} from './service.ts';
import { NoContentSchema, type RouteApp } from '../../platform/routes/route-app.ts';

export interface AccountsRouteDeps {
  readonly accounts: AccountsDeps;
  readonly tokenRequestProof: TokenRequestProof;
}

const PASSWORDS_DISABLED_NOTE =
  'Passwords are turned off on this server (`passwords.enabled: false`): this operation answers `403 PASSWORDS_DISABLED` before reading the body.';

const refusePasswordRoute: onRequestHookHandler = (_request, _reply, done) => {
  done(appError('PASSWORDS_DISABLED', { detail: 'password route while passwords.enabled is false' }));
};

/**
 * The sign-up body the deployment accepts: a password optional (passkey-first without it), the
 * address alone (passwords off), or a password required (passkeys off). Null when neither
 * passwords nor passkeys are on: accounts then come only from sign-in providers.
 */
function signUpBody(features: { passwords: boolean; passkeys: boolean }) {
  if (features.passwords) return features.passkeys ? SignUpRequestSchema : PasswordSignUpRequestSchema;
  return features.passkeys ? PasskeyFirstSignUpRequestSchema : null;
}

/** With passwords off, a sign-up that still sends one hears why instead of a schema violation. */
function refuseSignUpPassword(request: FastifyRequest, _reply: unknown, done: (error?: Error) => void): void {
  const body = request.body;
  const hasPassword = typeof body === 'object' && body !== null && Object.hasOwn(body, 'password');
  done(hasPassword ? appError('PASSWORDS_DISABLED', { detail: 'sign-up with a password while passwords.enabled is false' }) : undefined);
}

const ACCEPTED_SIGN_UP = { status: 'accepted' as const, message: 'Check your email to continue.' };
const ACCEPTED_RESET = { status: 'accepted' as const, message: 'If the address has an account, a code is on its way.' };

export function accountsRoutes(deps: AccountsRouteDeps) {
  return async function routes(app: RouteApp): Promise<void> {
    const passwords = deps.accounts.passwordsEnabled;
    // A route that exists only for passwords: with them off, refused before the body is read, and documented so.
    const passwordOnly = passwords ? {} : { onRequest: refusePasswordRoute };
    const passwordOnlyNote = passwords ? {} : { description: PASSWORDS_DISABLED_NOTE };
    const signUpSchema = signUpBody({ passwords, passkeys: deps.accounts.assurance.passkeySignIn });
    app.post(
      '/v1/accounts',
      {
        config: { auth: 'public', permission: 'none', audit: 'account.created', limit: 'network-costly' },
        ...(signUpSchema === null ? { onRequest: refusePasswordRoute } : passwords ? {} : { preValidation: refuseSignUpPassword }),
        schema: {
          summary: passwords
            ? 'Sign up with an email address, and a password or none (passkey-first)'
            : 'Sign up with an email address (passkey-first)',
          ...(signUpSchema === null ? { description: PASSWORDS_DISABLED_NOTE } : {}),
          tags: ['accounts'],
          body: signUpSchema ?? PasswordSignUpRequestSchema,
          response: { 202: AcceptedSchema },
        },
      },
      async (request, reply) => {
        await signUp(deps.accounts, request.body, requestContext(request));
        return reply.code(202).send(ACCEPTED_SIGN_UP);
      },
    );

    app.post(
      '/v1/accounts/verify-email',
      {
        config: { auth: 'public', permission: 'none', audit: 'account.email_verified', limit: 'network' },
        schema: {
          summary:
            'Verify an email address with the emailed code; after a passkey-first sign-up, open a session that can only register a passkey',
          tags: ['accounts', 'sessions'],
          body: VerifyEmailRequestSchema,
          response: { 200: AccountSchema, 201: TokenResponseSchema },
        },
      },
      async (request, reply) => {
        const body = request.body;
        // The proof is checked before the code is spent: a nonce retry keeps the code usable.
        const enrolment = body.device === undefined ? undefined : { jkt: await deps.tokenRequestProof(request), device: body.device };
        const outcome = await verifyEmail(deps.accounts, { email: body.email, code: body.code, enrolment }, requestContext(request));
        return 'session' in outcome ? reply.code(201).send(outcome.session) : reply.code(200).send(outcome.account);
      },
    );

    app.post(
      '/v1/sessions',
      {
        config: { auth: 'public', permission: 'none', audit: 'session.created', limit: 'network' },
        ...passwordOnly,
        schema: {
          summary: 'Sign in with email and password (DPoP proof required; tokens are bound to its key)',
          ...passwordOnlyNote,
          tags: ['sessions'],
          body: PasswordSignInRequestSchema,
          response: { 201: TokenResponseSchema },
        },
      },
      async (request, reply) => {
        const jkt = await deps.tokenRequestProof(request);
        const body = request.body;
        const tokens = await signInWithPassword(deps.accounts, { ...body, jkt, network: networkOf(request.ip) }, requestContext(request));
        return reply.code(201).send(tokens);
      },
    );

    app.get(
      '/v1/accounts/me',
      {
        config: { auth: 'aal1', permission: 'none', audit: 'none', enrolment: 'any' },
        schema: { summary: 'My account', tags: ['accounts'], response: { 200: AccountSchema } },
      },
      async (request) => getAccount(deps.accounts, principalOf(request).accountId),
    );

    app.post(
      '/v1/accounts/password',
      {
        // A session opened with a breached password may do this and nothing else.
        config: { auth: 'aal1', permission: 'none', audit: 'password.changed', enrolment: 'password' },
        ...passwordOnly,
        schema: {
          summary: 'Change my password (other sessions are signed out)',
          ...passwordOnlyNote,
          tags: ['accounts'],
          body: ChangePasswordRequestSchema,
          response: { 204: NoContentSchema },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const body = request.body;
        await changePassword(
          deps.accounts,
          { accountId: principal.accountId, sessionId: principal.sessionId, ...body, network: networkOf(request.ip) },
          requestContext(request),
        );
        return reply.code(204).send();
      },
    );

    app.post(
      '/v1/accounts/password-reset',
      {
        config: { auth: 'public', permission: 'none', audit: 'password.reset_requested', limit: 'network-costly' },
        ...passwordOnly,
        schema: {
          summary: 'Request a password reset code by email',
          ...passwordOnlyNote,
          tags: ['accounts'],
          body: PasswordResetRequestSchema,
          response: { 202: AcceptedSchema },
        },
      },
      async (request, reply) => {
        await requestPasswordReset(deps.accounts, request.body, requestContext(request));
        return reply.code(202).send(ACCEPTED_RESET);
      },
    );

    app.post(
      '/v1/accounts/password-reset/confirm',
      {
        config: { auth: 'public', permission: 'none', audit: 'password.reset', limit: 'network' },
        ...passwordOnly,
        schema: {
          summary: 'Set a new password with the emailed code (all sessions are signed out)',
          ...passwordOnlyNote,
          tags: ['accounts'],
          body: PasswordResetConfirmSchema,
          response: { 204: NoContentSchema },
        },
      },
      async (request, reply) => {
        await confirmPasswordReset(deps.accounts, request.body, requestContext(request));
        return reply.code(204).send();
      },
    );
  };
}
