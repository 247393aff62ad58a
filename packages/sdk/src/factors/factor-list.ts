/**
 * @module factors/factor-list
 *
 * The account's second factors as a list, never their secrets.
 */
import type { MfaFactorList } from '@portcullis/protocol';
import type { CoreClient } from '../core/core-client.ts';
import { engineOf } from '../core/session-engine.ts';
import { parseMfaFactorList } from '../http/response-shapes.ts';

/**
 * The account's second factors: authenticator apps, the phone (its number masked) and the
 * recovery-code set while codes remain. Never their secrets.
 *
 * @example
 *   const phone = (await listFactors(client)).factors.find((factor) => factor.kind === 'phone');
 */
export async function listFactors(client: CoreClient): Promise<MfaFactorList> {
  return engineOf(client).authorizedCall('GET', '/v1/mfa/factors', undefined, parseMfaFactorList);
}
