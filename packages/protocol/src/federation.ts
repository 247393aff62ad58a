/**
 * @module federation
 *
 * Wire schemas of federated sign-in: Sign in with Apple, Google and any OpenID Connect
 * provider, in two shapes.
 *
 * - **Native:** the app signs the person in with the provider's own SDK, then posts the ID token
 *   (and the raw nonce it generated) with a DPoP proof; the server verifies the token and mints a
 *   DPoP-bound session.
 * - **Web redirect:** the app opens `GET /v1/federation/{provider}/start` in a browser with a PKCE
 *   code challenge of its own; after the provider's redirect flow the server sends the browser to
 *   the app's return URL with a one-time exchange code, which the app redeems with its code
 *   verifier and a DPoP proof.
 *
 * An external identity is linked to an existing account only by that account's own signed-in
 * session (the `links` routes), never by matching an email address.
 */
import Type, { type Static } from 'typebox';
import { DeviceSchema, TokenResponseSchema } from './sessions.ts';

/** The only PKCE method the web flow accepts (RFC 7636 section 4.2; `plain` is refused). */
export const FEDERATION_CODE_CHALLENGE_METHOD = 'S256';

/** Query parameters the server adds to the app's return URL after the web flow. */
export const FEDERATION_RETURN_PARAMS = { code: 'code', error: 'error' } as const;

/** Provider ids are configuration keys (`federation.providers.<id>`), e.g. `apple`, `google`, `entra`. */
export const ProviderIdSchema = Type.String({
  pattern: '^[a-z][a-z0-9_]{0,31}$',
  description: 'Provider id from the server configuration, e.g. `apple` or `google`.',
});

/** A base64url SHA-256 value (43 characters), e.g. an S256 code challenge, a JWK thumbprint or an exchange code. */
function sha256Base64Url(description?: string) {
  return Type.String({ pattern: '^[A-Za-z0-9_-]{43}$', ...(description === undefined ? {} : { description }) });
}

/** A compact JWS: three base64url segments (an empty signature is let through so that `alg: none` is refused by the verifier, not the schema). */
function compactJws(description?: string) {
  return Type.String({
    minLength: 16,
    maxLength: 16384,
    pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*$',
    ...(description === undefined ? {} : { description }),
  });
}

const CodeVerifierSchema = Type.String({
  pattern: '^[A-Za-z0-9._~-]{43,128}$',
  description: 'The PKCE code verifier whose S256 challenge started the flow (RFC 7636).',
});

export const ProviderParamsSchema = Type.Object({ provider: ProviderIdSchema }, { additionalProperties: false });
export type ProviderParams = Static<typeof ProviderParamsSchema>;

export const FederationStartQuerySchema = Type.Object(
  {
    returnTo: Type.String({
      minLength: 1,
      maxLength: 2048,
      description: 'Where the browser goes when the flow ends; must be one of the provider’s configured `returnUrls`, exactly.',
    }),
    codeChallenge: sha256Base64Url(
      'BASE64URL(SHA-256(code verifier)) of a verifier only the app knows; the exchange code is redeemable only with it.',
    ),
    codeChallengeMethod: Type.Literal(FEDERATION_CODE_CHALLENGE_METHOD),
    dpopJkt: Type.Optional(
      sha256Base64Url('Optional RFC 7638 thumbprint of the DPoP key that will redeem the exchange code (RFC 9449 section 10).'),
    ),
  },
  { additionalProperties: false },
);

/**
 * What a provider sends back to the callback (query for `response_mode=query`, form body for
 * `form_post`). Providers add parameters of their own (`scope`, `authuser`, `hd`, …), so unknown
 * members are accepted and ignored.
 */
export const FederationCallbackParamsSchema = Type.Object(
  {
    state: Type.Optional(Type.String({ maxLength: 512 })),
    code: Type.Optional(Type.String({ maxLength: 2048 })),
    iss: Type.Optional(Type.String({ maxLength: 2048 })),
    error: Type.Optional(Type.String({ maxLength: 256 })),
    error_description: Type.Optional(Type.String({ maxLength: 2048 })),
    error_uri: Type.Optional(Type.String({ maxLength: 2048 })),
    /** Sign in with Apple: the person's name as JSON, on the first authorization only (unsigned). */
    user: Type.Optional(Type.String({ maxLength: 4096 })),
  },
  { additionalProperties: true },
);

export const IdTokenSignInRequestSchema = Type.Object(
  {
    provider: ProviderIdSchema,
    idToken: compactJws('The ID token the provider’s native SDK returned.'),
    nonce: Type.String({
      minLength: 16,
      maxLength: 256,
      description:
        'The raw nonce the app generated for this sign-in. Apple: the app passed SHA-256(hex) of it to Apple; Google: the app passed it as is. Each nonce is accepted once.',
    }),
    authorizationCode: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 2048,
        description: 'Apple only: the authorization code from the same sign-in, if the app has one.',
      }),
    ),
    device: DeviceSchema,
  },
  { additionalProperties: false },
);

export const ExchangeCodeSignInRequestSchema = Type.Object(
  {
    code: sha256Base64Url('The one-time exchange code from the return URL.'),
    codeVerifier: CodeVerifierSchema,
    device: DeviceSchema,
  },
  { additionalProperties: false },
);

export const FederatedProfileSchema = Type.Object(
  {
    givenName: Type.Optional(Type.String({ maxLength: 100 })),
    familyName: Type.Optional(Type.String({ maxLength: 100 })),
  },
  {
    additionalProperties: false,
    description: 'Name the provider shared, when it did (Apple: on the first authorization only). Not stored by the server.',
  },
);

export const FederatedSignInResponseSchema = Type.Object(
  {
    ...TokenResponseSchema.properties,
    accountCreated: Type.Boolean({ description: 'True when this sign-in created the account.' }),
    profile: Type.Optional(FederatedProfileSchema),
  },
  { additionalProperties: false },
);

export const LinkIdTokenRequestSchema = Type.Object(
  {
    provider: ProviderIdSchema,
    idToken: compactJws(),
    nonce: Type.String({ minLength: 16, maxLength: 256 }),
    authorizationCode: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
  },
  { additionalProperties: false },
);

export const LinkExchangeRequestSchema = Type.Object(
  { code: sha256Base64Url(), codeVerifier: CodeVerifierSchema },
  { additionalProperties: false },
);

export const LinkedIdentitySchema = Type.Object(
  {
    id: Type.String(),
    provider: Type.String(),
    email: Type.Union([Type.String(), Type.Null()], { description: 'Address the provider last reported, if any.' }),
    emailVerified: Type.Boolean(),
    createdAt: Type.String({ format: 'date-time' }),
    lastUsedAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

export const LinkedIdentityListSchema = Type.Object({ identities: Type.Array(LinkedIdentitySchema) }, { additionalProperties: false });

/** A configured provider that offers the web sign-in, as a sign-in page shows it: nothing secret, no client ids. */
export const FederationProviderSchema = Type.Object(
  {
    id: ProviderIdSchema,
    name: Type.String({
      minLength: 1,
      maxLength: 64,
      description: 'What to call it on a button: "Apple", "Google", or a generic provider\'s id.',
    }),
    kind: Type.Union([Type.Literal('apple'), Type.Literal('google'), Type.Literal('oidc')], {
      description: 'Apple and Google have branding rules for their buttons; `oidc` is any other OpenID Connect provider.',
    }),
  },
  { additionalProperties: false },
);

export const FederationProviderListSchema = Type.Object(
  { providers: Type.Array(FederationProviderSchema, { description: 'Apple first, then Google, then the others by id.' }) },
  { additionalProperties: false },
);

export const LinkIdParamsSchema = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });

/** Apple's server-to-server notification body: `{ "payload": "<signed JWT>" }`. */
export const AppleNotificationRequestSchema = Type.Object({ payload: compactJws('JWT signed by Apple.') }, { additionalProperties: true });

export type FederationStartQuery = Static<typeof FederationStartQuerySchema>;
export type FederationCallbackParams = Static<typeof FederationCallbackParamsSchema>;
export type IdTokenSignInRequest = Static<typeof IdTokenSignInRequestSchema>;
export type ExchangeCodeSignInRequest = Static<typeof ExchangeCodeSignInRequestSchema>;
export type FederatedProfile = Static<typeof FederatedProfileSchema>;
export type FederatedSignInResponse = Static<typeof FederatedSignInResponseSchema>;
export type LinkIdTokenRequest = Static<typeof LinkIdTokenRequestSchema>;
export type LinkExchangeRequest = Static<typeof LinkExchangeRequestSchema>;
export type LinkedIdentity = Static<typeof LinkedIdentitySchema>;
export type LinkedIdentityList = Static<typeof LinkedIdentityListSchema>;
export type FederationProvider = Static<typeof FederationProviderSchema>;
export type FederationProviderList = Static<typeof FederationProviderListSchema>;
export type AppleNotificationRequest = Static<typeof AppleNotificationRequestSchema>;
