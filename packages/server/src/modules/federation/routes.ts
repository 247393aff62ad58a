/**
 * @module modules/federation/routes
 *
 * HTTP surface of federated sign-in. Public routes: the browser flow (`start`, `callback`), the
 * two token requests (native ID token, web exchange code — both need a DPoP proof, and the
 * session is bound to its key) and Apple's notifications. Signed-in routes (`aal1`): list, link
 * and unlink external identities of the caller's own account.
 *
 * The form_post callback is registered in a nested context with its own form-body parser, and
 * declares `crossOriginFormPost`: the provider's page posts to it cross-site by design, so the
 * platform's Origin allow-list cannot apply; the flow's own binding (single-use state plus the
 * browser-binding cookie) is its CSRF defence.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import {
  AppleNotificationRequestSchema,
  ExchangeCodeSignInRequestSchema,
  FederatedSignInResponseSchema,
  FederationCallbackParamsSchema,
  FederationProviderListSchema,
  FederationStartQuerySchema,
  IdTokenSignInRequestSchema,
  LinkedIdentityListSchema,
  LinkedIdentitySchema,
  LinkExchangeRequestSchema,
  LinkIdParamsSchema,
  LinkIdTokenRequestSchema,
  ProviderParamsSchema,
  type FederationCallbackParams,
  type ProviderParams,
} from '@portcullis/protocol';
import type { TokenRequestProof } from '../sessions/index.ts';
import { principalOf, requestContext } from '../../platform/routes/request.ts';
import {
  completeWebFlow,
  linkWithExchangeCode,
  linkWithIdToken,
  listLinkedIdentities,
  receiveAppleNotification,
  signInWithExchangeCode,
  signInWithIdToken,
  startWebFlow,
  unlinkIdentity,
  webFlowProviders,
  type Caller,
  type FederationDeps,
} from './service.ts';
import { FORM_CONTENT_TYPE, registerFormBody } from '../../platform/http/form-body.ts';
import { NoContentSchema, type RouteApp } from '../../platform/routes/route-app.ts';

export interface FederationRouteDeps {
  readonly federation: FederationDeps;
  readonly tokenRequestProof: TokenRequestProof;
}

const Redirect = Type.Null({ description: 'See Other: the browser continues at `Location`.' });
const TAGS = ['federation'];
/** A form_post callback: a code, a state, Apple's `user` JSON and a few provider extras. */
const FORM_POST_BODY_LIMIT_BYTES = 16 * 1024;

function callerOf(request: FastifyRequest): Caller {
  return { accountId: principalOf(request).accountId };
}

export function federationRoutes(deps: FederationRouteDeps) {
  const { federation } = deps;

  // `params` is the query (GET) or the form body (POST): the same fields, validated by the same schema.
  const callback = async (
    request: FastifyRequest & { params: ProviderParams },
    reply: FastifyReply,
    method: 'GET' | 'POST',
    params: FederationCallbackParams,
  ) => {
    const { provider } = request.params;
    const step = await completeWebFlow(
      federation,
      { provider, method, params, cookieHeader: request.headers.cookie },
      requestContext(request),
    );
    if (step.failure) request.log.warn({ code: step.failure.code, detail: step.failure.detail }, 'federated sign-in ended with an error');
    return reply.header('set-cookie', step.setCookie).redirect(step.location, 303);
  };

  return async function routes(app: RouteApp): Promise<void> {
    app.get(
      '/v1/federation/providers',
      {
        config: { auth: 'public', permission: 'none', audit: 'none', limit: 'network' },
        schema: {
          summary: 'The providers a web app may offer buttons for (those with a web flow): id, name and kind only',
          tags: TAGS,
          response: { 200: FederationProviderListSchema },
        },
      },
      async () => ({ providers: webFlowProviders(federation) }),
    );

    app.get(
      '/v1/federation/:provider/start',
      {
        config: { auth: 'public', permission: 'none', audit: 'none', limit: 'network' },
        schema: {
          summary: 'Start a web sign-in with a provider (browser navigation; ends at the app’s return URL with an exchange code)',
          tags: TAGS,
          params: ProviderParamsSchema,
          querystring: FederationStartQuerySchema,
          response: { 303: Redirect },
        },
      },
      async (request, reply) => {
        const { provider } = request.params;
        const query = request.query;
        const step = await startWebFlow(federation, {
          provider,
          returnTo: query.returnTo,
          codeChallenge: query.codeChallenge,
          dpopJkt: query.dpopJkt,
        });
        return reply.header('set-cookie', step.setCookie).redirect(step.location, 303);
      },
    );

    app.get(
      '/v1/federation/:provider/callback',
      {
        config: { auth: 'public', permission: 'none', audit: 'federation.signed_in', limit: 'network' },
        schema: {
          summary: 'Provider redirect target (response_mode=query)',
          tags: TAGS,
          params: ProviderParamsSchema,
          querystring: FederationCallbackParamsSchema,
          response: { 303: Redirect },
        },
      },
      (request, reply) => callback(request, reply, 'GET', request.query),
    );

    await app.register(async (formScope: RouteApp) => {
      registerFormBody(formScope, { bodyLimitBytes: FORM_POST_BODY_LIMIT_BYTES });
      formScope.post(
        '/v1/federation/:provider/callback',
        {
          config: { auth: 'public', permission: 'none', audit: 'federation.signed_in', limit: 'network', crossOriginFormPost: true },
          schema: {
            summary: 'Provider redirect target (response_mode=form_post, e.g. Sign in with Apple)',
            tags: TAGS,
            consumes: [FORM_CONTENT_TYPE],
            params: ProviderParamsSchema,
            body: FederationCallbackParamsSchema,
            response: { 303: Redirect },
          },
        },
        (request, reply) => callback(request, reply, 'POST', request.body),
      );
    });

    app.post(
      '/v1/federation/sessions',
      {
        config: { auth: 'public', permission: 'none', audit: 'federation.signed_in', limit: 'network' },
        schema: {
          summary: 'Sign in with a provider’s ID token from a native app (DPoP proof required; tokens are bound to its key)',
          tags: TAGS,
          body: IdTokenSignInRequestSchema,
          response: { 201: FederatedSignInResponseSchema },
        },
      },
      async (request, reply) => {
        const jkt = await deps.tokenRequestProof(request);
        const body = request.body;
        return reply.code(201).send(await signInWithIdToken(federation, { ...body, jkt }, requestContext(request)));
      },
    );

    app.post(
      '/v1/federation/sessions/exchange',
      {
        config: { auth: 'public', permission: 'none', audit: 'federation.signed_in', limit: 'network' },
        schema: {
          summary: 'Redeem a web sign-in’s exchange code with its PKCE verifier (DPoP proof required)',
          tags: TAGS,
          body: ExchangeCodeSignInRequestSchema,
          response: { 201: FederatedSignInResponseSchema },
        },
      },
      async (request, reply) => {
        const jkt = await deps.tokenRequestProof(request);
        const body = request.body;
        return reply.code(201).send(await signInWithExchangeCode(federation, { ...body, jkt }, requestContext(request)));
      },
    );

    app.get(
      '/v1/federation/links',
      {
        config: { auth: 'aal1', permission: 'none', audit: 'none' },
        schema: { summary: 'My linked sign-in providers', tags: TAGS, response: { 200: LinkedIdentityListSchema } },
      },
      async (request) => ({ identities: await listLinkedIdentities(federation, callerOf(request).accountId) }),
    );

    app.post(
      '/v1/federation/links',
      {
        config: { auth: 'aal1', permission: 'none', audit: 'federation.identity_linked' },
        schema: {
          summary: 'Link a provider to my account with an ID token from a native sign-in',
          tags: TAGS,
          body: LinkIdTokenRequestSchema,
          response: { 201: LinkedIdentitySchema },
        },
      },
      async (request, reply) => {
        const linked = await linkWithIdToken(federation, callerOf(request), request.body, requestContext(request));
        return reply.code(201).send(linked);
      },
    );

    app.post(
      '/v1/federation/links/exchange',
      {
        config: { auth: 'aal1', permission: 'none', audit: 'federation.identity_linked' },
        schema: {
          summary: 'Link a provider to my account with a web sign-in’s exchange code',
          tags: TAGS,
          body: LinkExchangeRequestSchema,
          response: { 201: LinkedIdentitySchema },
        },
      },
      async (request, reply) => {
        const linked = await linkWithExchangeCode(federation, callerOf(request), request.body, requestContext(request));
        return reply.code(201).send(linked);
      },
    );

    app.delete(
      '/v1/federation/links/:id',
      {
        config: { auth: 'aal1', permission: 'none', audit: 'federation.identity_unlinked' },
        schema: {
          summary: 'Unlink a provider from my account (its stored provider token is revoked)',
          tags: TAGS,
          params: LinkIdParamsSchema,
          response: { 204: NoContentSchema },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        await unlinkIdentity(federation, callerOf(request), id, requestContext(request));
        return reply.code(204).send();
      },
    );

    app.post(
      '/v1/federation/:provider/notifications',
      {
        config: { auth: 'public', permission: 'none', audit: 'federation.notification_received', limit: 'none' },
        schema: {
          summary: 'Sign in with Apple server-to-server notifications (JWT signed by Apple)',
          tags: TAGS,
          params: ProviderParamsSchema,
          body: AppleNotificationRequestSchema,
          response: { 204: NoContentSchema },
        },
      },
      async (request, reply) => {
        const { provider } = request.params;
        const { payload } = request.body;
        await receiveAppleNotification(federation, provider, payload, requestContext(request));
        return reply.code(204).send();
      },
    );
  };
}
