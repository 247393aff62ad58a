/**
 * @module test-support/simulation
 *
 * What the credential-stuffing simulation (`npm run bench -- stuffing`) uses to set up its
 * population without a sign-up round trip per account: the server's own password hasher, the
 * sessions module's one door (a session issued to a phone's key is what makes it a known
 * device), a request context for calling it outside a request, and the software authenticator
 * the passkey tests use, and the account-row writer that seals and indexes each address as the
 * server does. Never imported by production code; exported to the benchmarks as
 * `@portcullis/server/test-support/simulation`.
 */
export { createPasswordHasher } from '../modules/accounts/index.ts';
export { issueSession } from '../modules/sessions/index.ts';
export { SoftwareAuthenticator } from './software-authenticator.ts';
export { testRequestContext } from './request-context.ts';
export { insertAccountRow } from './account-rows.ts';
