/**
 * @module mfa
 *
 * Wire schemas of the second-factor API: TOTP authenticator apps (RFC 6238) and recovery codes.
 * Enrolment hands out the TOTP secret exactly once (as an `otpauth://` URI, a QR code and the
 * base32 text for manual entry); recovery codes are likewise shown once, when generated. After
 * that the server only ever answers with labels, dates and counts.
 */
import Type, { type Static } from 'typebox';

/** RFC 6238 parameters every mainstream authenticator app supports: HMAC-SHA-1, 6 digits, 30 s steps. */
export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30;
/** Recovery codes per set; generating a new set replaces the whole previous one. */
export const RECOVERY_CODE_COUNT = 10;

export const TotpCodeSchema = Type.String({
  pattern: '^[0-9]{6}$',
  description: 'The 6-digit code the authenticator app shows now.',
  examples: ['492039'],
});

/**
 * Recovery codes are shown as `xxxxx-xxxxx` (Crockford base32, lower case). Input is forgiving:
 * any case, with or without the hyphen or a space.
 */
export const RecoveryCodeSchema = Type.String({
  pattern: '^[0-9A-Za-z]{5}[- ]?[0-9A-Za-z]{5}$',
  description: 'One recovery code, as shown when the set was generated (case and the hyphen do not matter).',
  examples: ['7hq2m-x9c4k'],
});

export const MFA_FACTOR_KINDS = ['totp', 'recovery_codes'] as const;

export const MfaFactorSchema = Type.Object(
  {
    id: Type.String({ description: 'Factor id; for `recovery_codes`, the id of the current set.' }),
    kind: Type.Union([Type.Literal('totp'), Type.Literal('recovery_codes')], {
      description: '`totp`: an authenticator app. `recovery_codes`: the set of single-use recovery codes (listed while codes remain).',
    }),
    label: Type.String({ description: 'Name the person gave the factor (TOTP) or a fixed name (recovery codes).' }),
    createdAt: Type.String({ format: 'date-time', description: 'When the factor was confirmed (TOTP) or the set generated.' }),
    lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description: 'When a code of this factor was last accepted; null if never.',
    }),
  },
  { additionalProperties: false },
);

export const MfaFactorListSchema = Type.Object(
  { factors: Type.Array(MfaFactorSchema, { description: 'Confirmed factors only; pending enrolments are not listed.' }) },
  { additionalProperties: false },
);

export const MfaFactorIdParamsSchema = Type.Object(
  {
    id: Type.String({
      pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
      description: 'Factor id (from enrolment or the factor list).',
    }),
  },
  { additionalProperties: false },
);

export const TotpEnrolmentRequestSchema = Type.Object(
  {
    label: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description: 'Name shown in the factor list, e.g. "Work phone". Defaults to "Authenticator app".',
      }),
    ),
  },
  { additionalProperties: false },
);

export const TotpEnrolmentSchema = Type.Object(
  {
    factorId: Type.String({ description: 'Id of the pending factor; confirm it with a first code before `expiresAt`.' }),
    otpauthUri: Type.String({
      description: 'Key URI (`otpauth://totp/…`) to hand to an authenticator app on the same device. Contains the secret: never log it.',
    }),
    secret: Type.String({ description: 'The base32 secret, for people who type it in by hand. Shown only now.' }),
    qrCodeSvg: Type.String({ description: 'The key URI as a QR code (an SVG document) to scan with another device.' }),
    expiresAt: Type.String({ format: 'date-time', description: 'The pending enrolment is discarded after this time.' }),
  },
  { additionalProperties: false, description: 'A pending TOTP enrolment. The secret is never shown again.' },
);

export const TotpConfirmRequestSchema = Type.Object({ code: TotpCodeSchema }, { additionalProperties: false });

export const RecoveryCodesSchema = Type.Object(
  {
    codes: Type.Array(Type.String(), {
      minItems: RECOVERY_CODE_COUNT,
      maxItems: RECOVERY_CODE_COUNT,
      description: 'Single-use recovery codes. Shown only now: the server keeps only keyed hashes of them.',
    }),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false, description: 'A new set of recovery codes; every earlier code stopped working.' },
);

export const TotpConfirmationSchema = Type.Object(
  {
    factor: MfaFactorSchema,
    recoveryCodes: Type.Union([RecoveryCodesSchema, Type.Null()], {
      description: 'The first set of recovery codes when the account had none (shown only now); null when a set already exists.',
    }),
  },
  { additionalProperties: false },
);

export const RecoveryCodeStatusSchema = Type.Object(
  {
    total: Type.Integer({ minimum: 0, description: 'Codes in the current set (0 when none was generated).' }),
    remaining: Type.Integer({ minimum: 0, description: 'Codes not used yet. Generate a new set before this reaches 0.' }),
    createdAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'When the current set was generated.' }),
  },
  { additionalProperties: false },
);

export type MfaFactorKind = (typeof MFA_FACTOR_KINDS)[number];
export type MfaFactor = Static<typeof MfaFactorSchema>;
export type MfaFactorList = Static<typeof MfaFactorListSchema>;
export type TotpEnrolmentRequest = Static<typeof TotpEnrolmentRequestSchema>;
export type TotpEnrolment = Static<typeof TotpEnrolmentSchema>;
export type TotpConfirmRequest = Static<typeof TotpConfirmRequestSchema>;
export type TotpConfirmation = Static<typeof TotpConfirmationSchema>;
export type RecoveryCodes = Static<typeof RecoveryCodesSchema>;
export type RecoveryCodeStatus = Static<typeof RecoveryCodeStatusSchema>;
