/**
 * @module accounts
 *
 * Wire schemas of the accounts API: sign-up, email verification, password change and reset.
 * Sign-up and reset answer identically whether or not the address has an account (no
 * enumeration); the outcome reaches the person by email.
 */
import Type, { type Static } from 'typebox';

/** Addresses are compared case-insensitively after NFKC; 254 is the SMTP path limit. */
export const EmailSchema = Type.String({ format: 'email', minLength: 3, maxLength: 254, description: 'Email address.' });

/** Length limits only: NIST SP 800-63B forbids composition rules. The server checks the policy. */
export const PasswordSchema = Type.String({
  minLength: 1,
  maxLength: 1024,
  description: 'Password (checked against the password policy).',
});

export const VerificationCodeSchema = Type.String({ pattern: '^[0-9]{6,10}$', description: 'One-time code from the email.' });

export const SignUpRequestSchema = Type.Object({ email: EmailSchema, password: PasswordSchema }, { additionalProperties: false });

export const AcceptedSchema = Type.Object(
  { status: Type.Literal('accepted'), message: Type.String() },
  { additionalProperties: false, description: 'Request accepted; the outcome is sent by email.' },
);

export const VerifyEmailRequestSchema = Type.Object({ email: EmailSchema, code: VerificationCodeSchema }, { additionalProperties: false });

export const AccountSchema = Type.Object(
  {
    id: Type.String(),
    email: Type.String(),
    emailVerified: Type.Boolean(),
    roles: Type.Array(Type.String()),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

export const ChangePasswordRequestSchema = Type.Object(
  { currentPassword: PasswordSchema, newPassword: PasswordSchema },
  { additionalProperties: false },
);

export const PasswordResetRequestSchema = Type.Object({ email: EmailSchema }, { additionalProperties: false });

export const PasswordResetConfirmSchema = Type.Object(
  { email: EmailSchema, code: VerificationCodeSchema, newPassword: PasswordSchema },
  { additionalProperties: false },
);

export type SignUpRequest = Static<typeof SignUpRequestSchema>;
export type Accepted = Static<typeof AcceptedSchema>;
export type VerifyEmailRequest = Static<typeof VerifyEmailRequestSchema>;
export type Account = Static<typeof AccountSchema>;
export type ChangePasswordRequest = Static<typeof ChangePasswordRequestSchema>;
export type PasswordResetRequest = Static<typeof PasswordResetRequestSchema>;
export type PasswordResetConfirm = Static<typeof PasswordResetConfirmSchema>;
