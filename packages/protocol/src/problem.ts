/**
 * @module problem
 *
 * The error body every Portcullis endpoint sends: RFC 9457 problem details with the stable
 * `code` and the `requestId` as extension members. This schema is also the response schema
 * of every 4xx/5xx in the OpenAPI document.
 */
import Type, { type Static } from 'typebox';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const ValidationIssueSchema = Type.Object(
  {
    pointer: Type.String({ description: 'JSON pointer to the offending value, prefixed by its location (`/body/email`).' }),
    reason: Type.String({ description: 'What is wrong with it.' }),
  },
  { additionalProperties: false },
);

/**
 * What to do next when a problem asks for more authentication (`MFA_REQUIRED`,
 * `STEP_UP_REQUIRED`): the opaque challenge token to send back, how to answer it, and until when.
 */
export const AuthChallengeSchema = Type.Object(
  {
    token: Type.String({ description: 'Opaque, single-use challenge token; send it back with the second factor.' }),
    methods: Type.Array(
      Type.Union([
        Type.Literal('totp'),
        Type.Literal('recovery_code'),
        Type.Literal('passkey'),
        Type.Literal('email_code'),
        Type.Literal('sms_code'),
      ]),
      {
        description:
          'Ways to answer: `totp` and `recovery_code` with a code; `passkey` by a passkey ceremony; `email_code` and `sms_code` with a code the client first asks the server to send (`POST /v1/sessions/mfa/send`). Email and SMS codes are offered only to accounts whose roles allow one-factor sign-in, never to staff.',
      },
    ),
    level: Type.Union([Type.Literal('aal1'), Type.Literal('aal2'), Type.Literal('aal2_phr')], {
      description: 'Assurance level the answer reaches (`aal1` when the answer only confirms the device).',
    }),
    reason: Type.Optional(
      Type.Union([Type.Literal('second_factor'), Type.Literal('new_device'), Type.Literal('attack_mode')], {
        description:
          'With `MFA_REQUIRED`, why the sign-in is challenged: `second_factor` (the role or the account has one); `new_device` (a correct password from a device key this account has never used: confirm it with the emailed code); `attack_mode` (the deployment is under a credential-stuffing wave: for a while, a password sign-in confirms with the emailed code unless it comes from a known device on a network that device used before).',
      }),
    ),
    expiresIn: Type.Integer({ description: 'Seconds until the challenge expires.' }),
  },
  { additionalProperties: false },
);

/**
 * Kinds of factor that can lift a session to a higher assurance level (`AUTH_LEVEL_INSUFFICIENT`):
 * a passkey, an authenticator app (`totp`), a code by `sms` or `email`, or a `recovery_code`.
 */
export const AuthFactorKindSchema = Type.Union([
  Type.Literal('passkey'),
  Type.Literal('totp'),
  Type.Literal('sms'),
  Type.Literal('email'),
  Type.Literal('recovery_code'),
]);

export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'URI reference identifying the problem type.' }),
    title: Type.String({ description: 'Short, public summary of the problem.' }),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    code: Type.String({ description: 'Stable error code from the registry (docs/errors.md).' }),
    requestId: Type.String({ description: 'Identifier of the request; quote it when reporting a problem.' }),
    detail: Type.Optional(Type.String({ description: 'Public, human-readable explanation when one helps.' })),
    errors: Type.Optional(Type.Array(ValidationIssueSchema)),
    challenge: Type.Optional(AuthChallengeSchema),
    requiredLevel: Type.Optional(
      Type.Union([Type.Literal('aal2'), Type.Literal('aal2_phr')], {
        description: 'With `AUTH_LEVEL_INSUFFICIENT`: the assurance level this caller must reach for the route.',
      }),
    ),
    currentLevel: Type.Optional(
      Type.Union([Type.Literal('aal1'), Type.Literal('aal2'), Type.Literal('aal2_phr')], {
        description: 'With `AUTH_LEVEL_INSUFFICIENT`: the assurance level of the session used.',
      }),
    ),
    currentEpoch: Type.Optional(Type.Integer({ minimum: 0, description: 'With `EPOCH_CONFLICT`: the conversation’s current MLS epoch.' })),
    methods: Type.Optional(
      Type.Array(AuthFactorKindSchema, {
        description:
          'With `AUTH_LEVEL_INSUFFICIENT`: the kinds of factor that can reach `requiredLevel` for this caller in this deployment (only `passkey` for `aal2_phr`).',
      }),
    ),
  },
  { $id: 'Problem', additionalProperties: false },
);

export type Problem = Static<typeof ProblemSchema>;
export type ValidationIssue = Static<typeof ValidationIssueSchema>;
export type AuthChallenge = Static<typeof AuthChallengeSchema>;

export type AuthChallengeMethod = AuthChallenge['methods'][number];
export type AuthFactorKind = Static<typeof AuthFactorKindSchema>;

/** Every kind of factor `AUTH_LEVEL_INSUFFICIENT` can name, strongest first (complete by `satisfies`). */
const FACTOR_KINDS = { passkey: true, totp: true, sms: true, email: true, recovery_code: true } satisfies Record<AuthFactorKind, true>;
export const AUTH_FACTOR_KINDS = Object.freeze(Object.keys(FACTOR_KINDS) as AuthFactorKind[]);

/** Every way a challenge can be answered, for clients that check what they receive (complete by `satisfies`). */
const METHODS = { totp: true, recovery_code: true, passkey: true, email_code: true, sms_code: true } satisfies Record<
  AuthChallengeMethod,
  true
>;
export const AUTH_CHALLENGE_METHODS = Object.freeze(Object.keys(METHODS) as AuthChallengeMethod[]);

/** The `type` URI of a code: a stable anchor in the published error reference. */
export function problemTypeFor(code: string): string {
  return `https://portcullis.dev/errors#${code.toLowerCase().replaceAll('_', '-')}`;
}
