/**
 * @module modules/demo/instructions
 *
 * The block `npm start` and `portcullis demo seed` print: where to open the app, and for each
 * role an address, its password and what it can do, with the two things a newcomer would not
 * guess (staff enrol a passkey first; messages start in the app).
 */
import { DEMO_ROLE_ABILITIES } from './clinic.ts';
import type { DemoAccounts } from './accounts-file.ts';

export function demoInstructions(demo: DemoAccounts, options: { readonly publicUrl: string; readonly accountsFile: string }): string[] {
  const emailWidth = Math.max(...demo.accounts.map((a) => a.email.length));
  const passwordWidth = Math.max(...demo.accounts.map((a) => a.password.length));
  return [
    `demo clinic: open ${options.publicUrl}/ and sign in as any of these (passwords kept in ${options.accountsFile}):`,
    ...demo.accounts.map(
      (a) =>
        `  ${a.role.padEnd(9)} ${a.email.padEnd(emailWidth)}  ${a.password.padEnd(passwordWidth)}  ${a.displayName}: ${DEMO_ROLE_ABILITIES[a.role]}`,
    ),
    '  Staff (clinician, support, admin, auditor) register a passkey on their first sign-in, as they must: the password alone opens a session that can only enrol a second factor, and their roles need a passkey.',
    '  A first password sign-in in a new browser asks for a code sent by email; in development it is in the outbox (npm run portcullis -- outbox).',
    '  Messages start when a patient opens Messages: end-to-end encryption needs each person’s own device, so the demo holds no messages yet.',
  ];
}
