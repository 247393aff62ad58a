/**
 * @module modules/passkeys/routes
 *
 * HTTP surface of passkeys: the registration ceremony for a signed-in person, the discoverable
 * sign-in ceremony (which, like password sign-in, carries a DPoP proof and mints a session bound
 * to its key), and the person's own passkey list, rename and removal.
 */
import {
  PasskeyCreationOptionsSchema,
  PasskeyIdParamsSchema,
  PasskeyListSchema,
  PasskeyOptionsRequestSchema,
  PasskeyRegistrationRequestSchema,
  PasskeyRenameRequestSchema,
  PasskeyRequestOptionsSchema,
  PasskeySchema,
  PasskeySignInRequestSchema,
  TokenResponseSchema,
} from '@portcullis/protocol';
import { STEP_UP_DEFAULT_MAX_AGE_SECONDS } from '../../platform/routes/contract.ts';
import type { TokenRequestProof } from '../sessions/index.ts';
import { principalOf, requestContext } from '../../platform/routes/request.ts';
import type { PasskeysDeps } from './deps.ts';
import { listPasskeys, removePasskey, renamePasskey } from './management.ts';
import { finishRegistration, startRegistration } from './registration.ts';
import { finishSignIn, startSignIn } from './sign-in.ts';
import { NoContentSchema, type RouteApp } from '../../platform/routes/route-app.ts';

export interface PasskeysRouteDeps {
  readonly passkeys: PasskeysDeps;
  readonly tokenRequestProof: TokenRequestProof;
}

export function passkeysRoutes(deps: PasskeysRouteDeps) {
  return async function routes(app: RouteApp): Promise<void> {
    app.post(
      '/v1/passkeys/registration/options',
      {
        // A restricted session that may enrol a passkey must reach it (a role that needs one, a passkey-first sign-up).
        config: { auth: 'aal1', permission: 'none', audit: 'none', enrolment: 'passkey' },
        schema: {
          summary: 'Start registering a passkey: creation options with a single-use challenge bound to this session',
          tags: ['passkeys'],
          body: PasskeyOptionsRequestSchema,
          response: { 200: PasskeyCreationOptionsSchema },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        return startRegistration(deps.passkeys, { accountId: principal.accountId, sessionId: principal.sessionId });
      },
    );

    app.post(
      '/v1/passkeys/registration',
      {
        config: { auth: 'aal1', permission: 'none', audit: 'passkey.registered', enrolment: 'passkey' },
        schema: {
          summary: "Finish registering a passkey with the authenticator's response",
          tags: ['passkeys'],
          body: PasskeyRegistrationRequestSchema,
          response: { 201: PasskeySchema },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const body = request.body;
        const passkey = await finishRegistration(
          deps.passkeys,
          { accountId: principal.accountId, sessionId: principal.sessionId, name: body.name, credential: body.credential },
          requestContext(request),
        );
        return reply.code(201).send(passkey);
      },
    );

    app.post(
      '/v1/passkeys/sign-in/options',
      {
        config: { auth: 'public', permission: 'none', audit: 'none', limit: 'network' },
        schema: {
          summary: 'Start signing in with a passkey: request options with a single-use challenge (no username)',
          tags: ['passkeys'],
          body: PasskeyOptionsRequestSchema,
          response: { 200: PasskeyRequestOptionsSchema },
        },
      },
      async () => startSignIn(deps.passkeys),
    );

    app.post(
      '/v1/passkeys/sign-in',
      {
        config: { auth: 'public', permission: 'none', audit: 'session.created', limit: 'network' },
        schema: {
          summary: 'Sign in with a passkey assertion (DPoP proof required; tokens are bound to its key)',
          tags: ['passkeys', 'sessions'],
          body: PasskeySignInRequestSchema,
          response: { 201: TokenResponseSchema },
        },
      },
      async (request, reply) => {
        // The proof is checked before the challenge is spent: a nonce retry keeps the assertion usable.
        const jkt = await deps.tokenRequestProof(request);
        const body = request.body;
        const tokens = await finishSignIn(
          deps.passkeys,
          { credential: body.credential, device: body.device, jkt },
          requestContext(request),
        );
        return reply.code(201).send(tokens);
      },
    );

    app.get(
      '/v1/passkeys',
      {
        // Part of registering one: an app whose registration answer was lost checks whether it landed.
        config: { auth: 'aal1', permission: 'none', audit: 'none', enrolment: 'passkey' },
        schema: { summary: 'My passkeys', tags: ['passkeys'], response: { 200: PasskeyListSchema } },
      },
      async (request) => listPasskeys(deps.passkeys, principalOf(request).accountId),
    );

    app.patch(
      '/v1/passkeys/:id',
      {
        config: { auth: 'aal1', permission: 'none', audit: 'passkey.renamed' },
        schema: {
          summary: 'Rename one of my passkeys',
          tags: ['passkeys'],
          params: PasskeyIdParamsSchema,
          body: PasskeyRenameRequestSchema,
          response: { 200: PasskeySchema },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        const { id } = request.params;
        const { name } = request.body;
        return renamePasskey(deps.passkeys, { accountId: principal.accountId, id, name }, requestContext(request));
      },
    );

    app.delete(
      '/v1/passkeys/:id',
      {
        // ASVS V7.5.1: removing a passkey needs a passkey — a session that signed in with one in
        // the last 5 minutes, or a passkey step-up whose WebAuthn challenge commits to this very
        // removal — so a stolen password session cannot remove the passkeys that would let the
        // owner back in.
        config: {
          auth: 'aal1',
          permission: 'none',
          audit: 'passkey.removed',
          stepUp: { maxAgeSeconds: STEP_UP_DEFAULT_MAX_AGE_SECONDS, level: 'aal2_phr' },
        },
        schema: {
          summary: 'Remove one of my passkeys (a staff account keeps at least one)',
          tags: ['passkeys'],
          params: PasskeyIdParamsSchema,
          response: { 204: NoContentSchema },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const { id } = request.params;
        await removePasskey(deps.passkeys, { accountId: principal.accountId, id }, requestContext(request));
        return reply.code(204).send();
      },
    );
  };
}
