/**
 * @module mfa
 *
 * Wire schemas of the second-factor API: TOTP authenticator apps (RFC 6238), recovery codes, and
 * phone numbers that receive one-time codes by SMS. Enrolment hands out the TOTP secret exactly
 * once (as an `otpauth://` URI, a QR code and the base32 text for manual entry); recovery codes
 * are likewise shown once, when generated. Phone numbers are shown masked (`+44•••••••123`)
 * once stored. After that the server only ever answers with labels, dates and counts.
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

/** Digits of a one-time code sent by email or SMS (about 20 bits; ASVS V6.5.4). */
export const OUT_OF_BAND_CODE_DIGITS = 6;

export const MFA_FACTOR_KINDS = ['totp', 'recovery_codes', 'phone'] as const;

export const MfaFactorSchema = Type.Object(
  {
    id: Type.String({ description: 'Factor id; for `recovery_codes`, the id of the current set.' }),
    kind: Type.Union([Type.Literal('totp'), Type.Literal('recovery_codes'), Type.Literal('phone')], {
      description:
        '`totp`: an authenticator app. `recovery_codes`: the set of single-use recovery codes (listed while codes remain). `phone`: a confirmed phone number that receives sign-in codes by SMS.',
    }),
    label: Type.String({
      description: 'Name the person gave the factor (TOTP), a fixed name (recovery codes), or the masked number (phone, `+44•••••••123`).',
    }),
    createdAt: Type.String({ format: 'date-time', description: 'When the factor was confirmed (TOTP, phone) or the set generated.' }),
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

/**
 * A phone number in E.164 form: `+`, the country code and the national number, digits only, at
 * most 15 digits (ITU-T E.164). Clients format what people type (spaces, dashes, a leading 0)
 * before sending it.
 */
export const PhoneNumberSchema = Type.String({
  pattern: '^\\+[1-9][0-9]{6,14}$',
  description: 'Phone number in E.164 form (`+` and 7 to 15 digits, no spaces).',
  examples: ['+447700900123'],
});

export const OutOfBandCodeSchema = Type.String({
  pattern: `^[0-9]{${OUT_OF_BAND_CODE_DIGITS}}$`,
  description: 'The 6-digit code from the text message or email.',
  examples: ['402718'],
});

export const PhoneEnrolmentRequestSchema = Type.Object({ phoneNumber: PhoneNumberSchema }, { additionalProperties: false });

/** When a code was sent: how long it lives and when another may be asked for. */
const codeTimingProperties = {
  codeExpiresIn: Type.Integer({ minimum: 0, description: 'Seconds until the code that was just sent expires.' }),
  resendAfter: Type.Integer({ minimum: 0, description: 'Seconds before another code may be asked for.' }),
};

export const PhoneEnrolmentSchema = Type.Object(
  {
    factorId: Type.String({
      description: 'Id of the pending phone factor; confirm it with the code from the text message before `expiresAt`.',
    }),
    phoneNumber: Type.String({ description: 'The number, masked (`+44•••••••123`).' }),
    expiresAt: Type.String({ format: 'date-time', description: 'The pending phone factor is discarded after this time.' }),
    ...codeTimingProperties,
  },
  { additionalProperties: false, description: 'A pending phone factor; a verification code was sent to it by SMS.' },
);

export const PhoneCodeSentSchema = Type.Object(
  { phoneNumber: Type.String({ description: 'The number, masked.' }), ...codeTimingProperties },
  { additionalProperties: false, description: 'A new verification code was sent; earlier codes for this phone stopped working.' },
);

export const PhoneConfirmRequestSchema = Type.Object({ code: OutOfBandCodeSchema }, { additionalProperties: false });

export const PhoneConfirmationSchema = Type.Object(
  {
    factor: MfaFactorSchema,
    recoveryCodes: Type.Union([RecoveryCodesSchema, Type.Null()], {
      description: 'The first set of recovery codes when the account had none (shown only now); null when a set already exists.',
    }),
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
export type PhoneEnrolmentRequest = Static<typeof PhoneEnrolmentRequestSchema>;
export type PhoneEnrolment = Static<typeof PhoneEnrolmentSchema>;
export type PhoneCodeSent = Static<typeof PhoneCodeSentSchema>;
export type PhoneConfirmRequest = Static<typeof PhoneConfirmRequestSchema>;
export type PhoneConfirmation = Static<typeof PhoneConfirmationSchema>;
