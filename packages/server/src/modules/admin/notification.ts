/**
 * @module modules/admin/notification
 *
 * The email a person gets when an administrator reset their second factors. It names no admin
 * and carries no link: it tells them what changed and what to do if they did not ask for it.
 */
import { PRODUCT_NAME } from '../../platform/mailer/index.ts';

export function mfaResetMessage(params: { resetAt: Date }): { subject: string; text: string } {
  return {
    subject: `The second factors of your ${PRODUCT_NAME} account were reset`,
    text: [
      `On ${params.resetAt.toISOString().replace('T', ' ').slice(0, 16)} UTC an administrator removed the authenticator apps, recovery codes and passkeys of your ${PRODUCT_NAME} account and signed you out everywhere.`,
      'At your next sign-in you will be asked to set up a second factor again.',
      'If you did not ask your support team for this, contact them now.',
    ].join('\n\n'),
  };
}
