/**
 * @module step-up
 *
 * Wire schemas of step-up re-authentication bound to an action. A route that needs a fresh
 * authentication answers `401 STEP_UP_REQUIRED` with a `challenge` (see `AuthChallengeSchema`);
 * the person answers it with a code (`POST /v1/step-up/verify`) or a passkey
 * (`POST /v1/step-up/passkey/options`, then `POST /v1/step-up/passkey/verify`), and the client
 * repeats the very same request with the challenge token in the {@link STEP_UP_HEADER} header.
 * The token is bound to the session and to that request (method, path, query and body) and
 * authorizes it once.
 */
import Type, { type Static } from 'typebox';
import { AuthenticationCredentialSchema } from './passkeys.ts';

/** Request header carrying a verified step-up token when a request is repeated (lower case, as HTTP/2 sends it). */
export const STEP_UP_HEADER = 'portcullis-step-up';

/** `su_<id>.<secret>`: a 128-bit id and a 256-bit secret, both base64url. */
export const STEP_UP_TOKEN_PATTERN = '^su_[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}$';

export const StepUpTokenSchema = Type.String({
  pattern: STEP_UP_TOKEN_PATTERN,
  description: 'The `challenge.token` of the `STEP_UP_REQUIRED` problem.',
});

export const StepUpVerifyRequestSchema = Type.Object(
  {
    challenge: StepUpTokenSchema,
    method: Type.Union([Type.Literal('totp'), Type.Literal('recovery_code')]),
    code: Type.String({
      minLength: 6,
      maxLength: 16,
      description: 'Six digits from the authenticator app, or a recovery code (`xxxxx-xxxxx`).',
    }),
  },
  { additionalProperties: false },
);

export const StepUpPasskeyOptionsRequestSchema = Type.Object({ challenge: StepUpTokenSchema }, { additionalProperties: false });

/**
 * Request options for a step-up with a passkey. The WebAuthn challenge is derived from the
 * step-up challenge and the digest of the action, so the assertion commits to the action.
 */
export const StepUpPasskeyOptionsSchema = Type.Object(
  {
    challenge: Type.String({ description: 'Single-use WebAuthn challenge (base64url) that commits to the action.' }),
    rpId: Type.String(),
    timeout: Type.Integer(),
    userVerification: Type.Literal('required'),
    allowCredentials: Type.Array(
      Type.Object(
        {
          id: Type.String({ description: 'Credential id (base64url) of one of the account’s passkeys.' }),
          type: Type.Literal('public-key'),
          transports: Type.Optional(Type.Array(Type.String())),
        },
        { additionalProperties: false },
      ),
      { description: 'The passkeys of the signed-in account; an assertion from any other credential is refused.' },
    ),
  },
  { additionalProperties: false },
);

export const StepUpPasskeyVerifyRequestSchema = Type.Object(
  { challenge: StepUpTokenSchema, credential: AuthenticationCredentialSchema },
  { additionalProperties: false },
);

export const StepUpVerificationSchema = Type.Object(
  {
    level: Type.Union([Type.Literal('aal2'), Type.Literal('aal2_phr')], { description: 'Assurance level the step-up reached.' }),
    expiresIn: Type.Integer({
      description: `Seconds left to repeat the original request with the challenge token in the \`${STEP_UP_HEADER}\` header.`,
    }),
  },
  { additionalProperties: false },
);

export type StepUpVerifyRequest = Static<typeof StepUpVerifyRequestSchema>;
export type StepUpPasskeyOptionsRequest = Static<typeof StepUpPasskeyOptionsRequestSchema>;
export type StepUpPasskeyOptions = Static<typeof StepUpPasskeyOptionsSchema>;
export type StepUpPasskeyVerifyRequest = Static<typeof StepUpPasskeyVerifyRequestSchema>;
export type StepUpVerification = Static<typeof StepUpVerificationSchema>;
