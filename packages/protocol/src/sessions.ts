/**
 * @module sessions
 *
 * Wire schemas of the sessions API. Tokens are opaque (`<id>.<secret>`) and bound to the
 * client's DPoP key (RFC 9449): every token request and every API request carries a `DPoP`
 * proof header signed by that key.
 */
import Type, { type Static } from 'typebox';
import { EmailSchema, PasswordSchema } from './accounts.ts';
import { DeviceSchema } from './device.ts';

export { DEVICE_PLATFORMS, DeviceSchema } from './device.ts';

export const DPOP_HEADER = 'dpop';
export const DPOP_NONCE_HEADER = 'dpop-nonce';
/**
 * Names the calling client on a token request without a DPoP proof. Only clients the operator
 * lists in `sessions.bearerClients` may do this; they receive unbound `Bearer` tokens.
 */
export const BEARER_CLIENT_HEADER = 'portcullis-client';
/** Algorithms a DPoP proof may use. */
export const DPOP_ALGORITHMS = ['ES256', 'EdDSA'] as const;

export const PasswordSignInRequestSchema = Type.Object(
  { email: EmailSchema, password: PasswordSchema, device: DeviceSchema },
  { additionalProperties: false },
);

const ChallengeTokenSchema = Type.String({
  minLength: 10,
  maxLength: 100,
  description: 'The `challenge.token` of the `MFA_REQUIRED` problem.',
});

export const MfaSignInRequestSchema = Type.Object(
  {
    challenge: ChallengeTokenSchema,
    method: Type.Union([Type.Literal('totp'), Type.Literal('recovery_code'), Type.Literal('email_code'), Type.Literal('sms_code')], {
      description:
        'One of the challenge’s `methods`. `email_code` and `sms_code` answer with the code sent for this challenge by `POST /v1/sessions/mfa/send`.',
    }),
    code: Type.String({
      minLength: 6,
      maxLength: 16,
      description: 'Six digits from the authenticator app, the email or the text message, or a recovery code (`xxxxx-xxxxx`).',
    }),
  },
  { additionalProperties: false },
);

/** Where a sign-in code can be sent: `email` to the account’s verified address, `sms` to its confirmed phone. */
export const CODE_CHANNELS = ['email', 'sms'] as const;

export const MfaSendCodeRequestSchema = Type.Object(
  {
    challenge: ChallengeTokenSchema,
    channel: Type.Union([Type.Literal('email'), Type.Literal('sms')], {
      description: '`email` when the challenge offers `email_code`, `sms` when it offers `sms_code`.',
    }),
  },
  { additionalProperties: false },
);

export const MfaCodeSentSchema = Type.Object(
  {
    channel: Type.Union([Type.Literal('email'), Type.Literal('sms')]),
    destination: Type.String({ description: 'Where the code went, masked (`a•••@example.com`, `+44•••••••123`).' }),
    codeExpiresIn: Type.Integer({
      minimum: 0,
      description: 'Seconds until the code expires; a newer code for the same channel replaces it.',
    }),
    resendAfter: Type.Integer({ minimum: 0, description: 'Seconds before this challenge may send another code.' }),
    sendsLeft: Type.Integer({ minimum: 0, description: 'Codes this challenge may still send (on any channel).' }),
  },
  { additionalProperties: false, description: 'A one-time code bound to this challenge was sent.' },
);

export const RefreshRequestSchema = Type.Object(
  { refreshToken: Type.String({ minLength: 10, maxLength: 200 }) },
  { additionalProperties: false },
);

export const TokenResponseSchema = Type.Object(
  {
    tokenType: Type.Union([Type.Literal('DPoP'), Type.Literal('Bearer')], {
      description: '`DPoP` (bound to the key that signed the request); `Bearer` only for clients the operator allows unbound tokens.',
    }),
    accessToken: Type.String(),
    expiresIn: Type.Integer({ description: 'Seconds until the access token expires.' }),
    refreshToken: Type.String(),
    refreshExpiresIn: Type.Integer({
      description: 'Seconds until the refresh token expires if unused (idle timeout, capped by the absolute lifetime).',
    }),
    sessionId: Type.String(),
    aal: Type.String({ description: 'Assurance level of the session: aal1, aal2 or aal2_phr.' }),
    restriction: Type.Optional(
      Type.Object(
        {
          reason: Type.Union(
            [Type.Literal('password_breached'), Type.Literal('second_factor_required'), Type.Literal('passkey_required')],
            {
              description:
                '`password_breached`: the password is on a breached-password list; change it (`POST /v1/accounts/password`), then sign in again. `second_factor_required`: the role needs a second factor; enrol one, then sign in again. `passkey_required`: register the account’s first passkey.',
            },
          ),
          allows: Type.Array(Type.Union([Type.Literal('passkey'), Type.Literal('totp'), Type.Literal('phone'), Type.Literal('password')]), {
            description:
              'What this session may set up; it may also read the own account and sign out. Everything else answers `403 PASSWORD_CHANGE_REQUIRED` (a breached password) or `403 MFA_ENROLMENT_REQUIRED`.',
          }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const SessionSchema = Type.Object(
  {
    id: Type.String(),
    current: Type.Boolean({ description: 'True for the session that made this request.' }),
    device: Type.Object({ label: Type.String(), platform: Type.String() }, { additionalProperties: false }),
    createdAt: Type.String({ format: 'date-time' }),
    lastUsedAt: Type.String({ format: 'date-time' }),
    expiresAt: Type.String({ format: 'date-time' }),
    location: Type.String({ description: 'Coarse network location (IPv4 /24 or IPv6 /48), never the full address.' }),
    aal: Type.String(),
  },
  { additionalProperties: false },
);

export const SessionElevationSchema = Type.Object(
  {
    id: Type.String({ description: 'The elevation (see `GET /v1/elevations`).' }),
    role: Type.String({ description: 'The role held on top of the account’s own roles.' }),
    expiresAt: Type.String({ format: 'date-time', description: 'When it ends by itself (at most an hour after approval).' }),
  },
  { additionalProperties: false },
);

export const SessionListSchema = Type.Object(
  {
    sessions: Type.Array(SessionSchema),
    elevations: Type.Optional(
      Type.Array(SessionElevationSchema, {
        description: 'Time-boxed elevations in force: every session of the account holds these roles now.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const SessionIdParamsSchema = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }) },
  { additionalProperties: false },
);

export const RevokedSchema = Type.Object({ revoked: Type.Integer({ minimum: 0 }) }, { additionalProperties: false });

/** RFC 7662 token introspection, for the app team's own services. */
export const IntrospectionRequestSchema = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 400 }) },
  { additionalProperties: true },
);

export const IntrospectionResponseSchema = Type.Object(
  {
    active: Type.Boolean(),
    sub: Type.Optional(Type.String()),
    sid: Type.Optional(Type.String()),
    exp: Type.Optional(Type.Integer()),
    iat: Type.Optional(Type.Integer()),
    token_type: Type.Optional(Type.Union([Type.Literal('DPoP'), Type.Literal('Bearer')])),
    cnf: Type.Optional(Type.Object({ jkt: Type.String() }, { additionalProperties: false })),
    acr: Type.Optional(Type.String()),
    amr: Type.Optional(Type.Array(Type.String())),
    roles: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: false },
);

export type Device = Static<typeof DeviceSchema>;
export type PasswordSignInRequest = Static<typeof PasswordSignInRequestSchema>;
export type RefreshRequest = Static<typeof RefreshRequestSchema>;
export type MfaSignInRequest = Static<typeof MfaSignInRequestSchema>;
export type CodeChannel = (typeof CODE_CHANNELS)[number];
export type MfaSendCodeRequest = Static<typeof MfaSendCodeRequestSchema>;
export type MfaCodeSent = Static<typeof MfaCodeSentSchema>;
export type TokenResponse = Static<typeof TokenResponseSchema>;
export type Session = Static<typeof SessionSchema>;
export type SessionList = Static<typeof SessionListSchema>;
export type IntrospectionResponse = Static<typeof IntrospectionResponseSchema>;
export type Revoked = Static<typeof RevokedSchema>;
