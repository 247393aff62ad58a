/**
 * @module modules/accounts/routes
 *
 * HTTP surface of accounts: sign-up, email verification, password sign-in (which mints a session
 * bound to the request's DPoP key), the signed-in person's account, password change and reset.
 */
import {
  AcceptedSchema,
  AccountSchema,
  ChangePasswordRequestSchema,
  PasswordResetConfirmSchema,
  PasswordResetRequestSchema,
  PasswordSignInRequestSchema,
  SignUpRequestSchema,
  TokenResponseSchema,
  VerifyEmailRequestSchema,
} from '@portcullis/protocol';
import { networkOf } from '../../platform/http/ip-prefix.ts';
import { principalOf, requestContext, type TokenRequestProof } from '../sessions/index.ts';
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

const ACCEPTED_SIGN_UP = { status: 'accepted' as const, message: 'Check your email to continue.' };
const ACCEPTED_RESET = { status: 'accepted' as const, message: 'If the address has an account, a code is on its way.' };

export function accountsRoutes(deps: AccountsRouteDeps) {
  return async function routes(app: RouteApp): Promise<void> {
    app.post(
      '/v1/accounts',
      {
        config: { auth: 'public', permission: 'none', audit: 'account.created', limit: 'network-costly' },
        schema: {
          summary: 'Sign up with email and password',
          tags: ['accounts'],
          body: SignUpRequestSchema,
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
          summary: 'Verify an email address with the emailed code',
          tags: ['accounts'],
          body: VerifyEmailRequestSchema,
          response: { 200: AccountSchema },
        },
      },
      async (request) => verifyEmail(deps.accounts, request.body, requestContext(request)),
    );

    app.post(
      '/v1/sessions',
      {
        config: { auth: 'public', permission: 'none', audit: 'session.created', limit: 'network' },
        schema: {
          summary: 'Sign in with email and password (DPoP proof required; tokens are bound to its key)',
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
        config: { auth: 'aal1', permission: 'none', audit: 'none', enrolment: true },
        schema: { summary: 'My account', tags: ['accounts'], response: { 200: AccountSchema } },
      },
      async (request) => getAccount(deps.accounts, principalOf(request).accountId),
    );

    app.post(
      '/v1/accounts/password',
      {
        config: { auth: 'aal1', permission: 'none', audit: 'password.changed' },
        schema: {
          summary: 'Change my password (other sessions are signed out)',
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
        schema: {
          summary: 'Request a password reset code by email',
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
        schema: {
          summary: 'Set a new password with the emailed code (all sessions are signed out)',
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
