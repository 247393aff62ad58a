/**
 * @module passkeys/passkey-management
 *
 * The signed-in account's passkeys: registering one, listing, renaming and removing them.
 */
import type { Passkey, PasskeyList } from '@portcullis/protocol';
import type { CoreClient } from '../core/core-client.ts';
import { engineOf } from '../core/session-engine.ts';
import { parsePasskey, parsePasskeyCreationOptions, parsePasskeyList } from '../http/response-shapes.ts';
import type { StepUpPrompt } from '../step-up/is-step-up-required.ts';
import { callWithStepUp } from '../step-up/step-up.ts';
import type { PasskeyAuthenticator } from './passkey-authenticator.ts';

/** Passkey ids as the routes accept them (`PasskeyIdParamsSchema`); also keeps `../` out of paths. */
const PASSKEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

function assertPasskeyId(id: unknown, method: string): asserts id is string {
  if (typeof id !== 'string' || !PASSKEY_ID_PATTERN.test(id)) throw new TypeError(`${method} expects a passkey id`);
}

/**
 * Registers a new passkey for the signed-in account (also allowed in a restricted session whose
 * role needs a passkey). The server's options exclude passkeys already registered.
 *
 * @param name Shown in the passkey list, e.g. "iPhone" or "YubiKey".
 * @example
 *   const passkey = await registerPasskey(client, browserPasskeyAuthenticator(), 'This laptop');
 */
export async function registerPasskey(client: CoreClient, authenticator: PasskeyAuthenticator, name: string): Promise<Passkey> {
  const engine = engineOf(client);
  const options = await engine.authorizedCall('POST', '/v1/passkeys/registration/options', {}, parsePasskeyCreationOptions);
  const credential = await authenticator.create(options);
  return engine.authorizedCall('POST', '/v1/passkeys/registration', { name, credential }, parsePasskey);
}

/**
 * The account's passkeys (name, created, last used, synced or not, suspended after a detected clone).
 *
 * @example
 *   const { passkeys } = await listPasskeys(client);
 */
export async function listPasskeys(client: CoreClient): Promise<PasskeyList> {
  return engineOf(client).authorizedCall('GET', '/v1/passkeys', undefined, parsePasskeyList);
}

/**
 * Renames one of the account's passkeys.
 *
 * @example
 *   await renamePasskey(client, passkey.id, 'Work laptop');
 */
export async function renamePasskey(client: CoreClient, id: string, name: string): Promise<Passkey> {
  assertPasskeyId(id, 'renamePasskey');
  return engineOf(client).authorizedCall('PATCH', `/v1/passkeys/${id}`, { name }, parsePasskey);
}

/**
 * Removes one of the account's passkeys. Needs a passkey: a session that signed in with one in
 * the last minutes, or a passkey step-up (`prompt` answering `{ method: 'passkey', authenticator }`).
 * A staff account keeps at least one.
 *
 * @throws {ApiError} `STEP_UP_REQUIRED` when `prompt` resolves `null`.
 * @example
 *   await removePasskey(client, old.id, async () => ({ method: 'passkey', authenticator: browserPasskeyAuthenticator() }));
 */
export async function removePasskey(client: CoreClient, id: string, prompt: StepUpPrompt): Promise<void> {
  assertPasskeyId(id, 'removePasskey');
  await callWithStepUp(client, { method: 'DELETE', path: `/v1/passkeys/${id}` }, prompt, () => true);
}
