/**
 * @module accounts
 *
 * Wire schemas of the accounts API: sign-up, email verification, password change and reset.
 * Sign-up and reset answer identically whether or not the address has an account (no
 * enumeration); the outcome reaches the person by email. A sign-up without a password is
 * passkey-first: confirming the address opens a session that can only register a passkey.
 */
import Type, { type Static } from 'typebox';
import { DeviceSchema } from './device.ts';

/** Addresses are compared case-insensitively after NFKC; 254 is the SMTP path limit. */
export const EmailSchema = Type.String({ format: 'email', minLength: 3, maxLength: 254, description: 'Email address.' });

/** Length limits only: NIST SP 800-63B forbids composition rules. The server checks the policy. */
export const PasswordSchema = Type.String({
  minLength: 1,
  maxLength: 1024,
  description: 'Password (checked against the password policy).',
});

export const VerificationCodeSchema = Type.String({ pattern: '^[0-9]{6,10}$', description: 'One-time code from the email.' });

export const SignUpRequestSchema = Type.Object(
  { email: EmailSchema, password: Type.Optional(PasswordSchema) },
  {
    additionalProperties: false,
    description:
      'Leave `password` out to sign up passkey-first: confirming the address then opens a session that can only register a passkey.',
  },
);

/** Sign-up where passwords are turned off: the address alone, always passkey-first. */
export const PasskeyFirstSignUpRequestSchema = Type.Object({ email: EmailSchema }, { additionalProperties: false });

/** Sign-up where passkeys are turned off: a password is the only way in. */
export const PasswordSignUpRequestSchema = Type.Object({ email: EmailSchema, password: PasswordSchema }, { additionalProperties: false });

export const AcceptedSchema = Type.Object(
  { status: Type.Literal('accepted'), message: Type.String() },
  { additionalProperties: false, description: 'Request accepted; the outcome is sent by email.' },
);

export const VerifyEmailRequestSchema = Type.Object(
  { email: EmailSchema, code: VerificationCodeSchema, device: Type.Optional(DeviceSchema) },
  {
    additionalProperties: false,
    description:
      "After a passkey-first sign-up, send `device` and a DPoP proof: while the account has no way in (no password, passkey, provider or second factor), the confirmation answers `201` with a session bound to the proof's key that can only register a passkey. Otherwise it answers `200` with the account and opens no session.",
  },
);

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
export type PasskeyFirstSignUpRequest = Static<typeof PasskeyFirstSignUpRequestSchema>;
export type Accepted = Static<typeof AcceptedSchema>;
export type VerifyEmailRequest = Static<typeof VerifyEmailRequestSchema>;
export type Account = Static<typeof AccountSchema>;
export type ChangePasswordRequest = Static<typeof ChangePasswordRequestSchema>;
export type PasswordResetRequest = Static<typeof PasswordResetRequestSchema>;
export type PasswordResetConfirm = Static<typeof PasswordResetConfirmSchema>;
