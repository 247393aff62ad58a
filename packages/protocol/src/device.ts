/**
 * @module device
 *
 * The device a session is opened on, as the person named it: sent with every request that mints
 * a session (sign-in, and the email confirmation of a passkey-first sign-up).
 */
import Type from 'typebox';

export const DEVICE_PLATFORMS = ['ios', 'android', 'web', 'other'] as const;

export const DeviceSchema = Type.Object(
  {
    label: Type.String({ minLength: 1, maxLength: 64, description: 'Name the person gave the device, shown in the session list.' }),
    platform: Type.Union([Type.Literal('ios'), Type.Literal('android'), Type.Literal('web'), Type.Literal('other')]),
    appVersion: Type.Optional(Type.String({ maxLength: 32, pattern: '^[0-9A-Za-z.+-]+$' })),
  },
  { additionalProperties: false },
);
