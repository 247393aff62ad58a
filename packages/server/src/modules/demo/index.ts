/**
 * @module modules/demo
 *
 * The demo clinic a development server is seeded with (`portcullis demo seed`, and the first
 * `npm start`). Other modules and main.ts import from here only.
 */
export { DEMO_EMAIL_DOMAIN, DEMO_ROLES } from './clinic.ts';
export type { DemoRole } from './clinic.ts';
export { DEMO_ACCOUNTS_FILE, demoAccountsFile, readDemoAccounts } from './accounts-file.ts';
export type { DemoAccount, DemoAccounts } from './accounts-file.ts';
export { DemoSeedRefusedError, demoSeedDepsFrom, seedDemoClinic, seededDemoAccounts } from './seed.ts';
export type { DemoSeedDeps, DemoSeedResult } from './seed.ts';
export { demoInstructions } from './instructions.ts';
