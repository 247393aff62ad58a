/**
 * @module accounts/privacy
 *
 * The signed-in person's rights of access and erasure: download everything held about them
 * (one JSON document following the published schema), and erase their account for good. Both
 * need a step-up (`prompt`): a fresh second factor bound to that very request.
 */
import type { AccountExport, ErasureReceipt } from '@portcullis/protocol';
import type { CoreClient } from '../core/core-client.ts';
import { engineOf } from '../core/session-engine.ts';
import type { StepUpPrompt } from '../step-up/is-step-up-required.ts';
import { callWithStepUp } from '../step-up/step-up.ts';
import { parseAccountExport, parseErasureReceipt } from './privacy-shapes.ts';

/**
 * Everything the server holds about the signed-in person: account, profile, patient file,
 * grants, sessions, second factors and passkeys (metadata only), linked identities and the audit
 * entries naming them. The document names its schema in `$schema`
 * (`docs/schemas/account-export.schema.json`). Needs a step-up (`prompt`).
 *
 * @throws {ApiError} `STEP_UP_REQUIRED` when `prompt` resolves `null`.
 * @example
 *   const document = await exportMyData(client, prompt);
 *   download('my-data.json', JSON.stringify(document, null, 2));
 */
export async function exportMyData(client: CoreClient, prompt: StepUpPrompt): Promise<AccountExport> {
  return callWithStepUp(client, { method: 'GET', path: '/v1/accounts/me/export' }, prompt, parseAccountExport);
}

/**
 * Erases the signed-in person's account for good: their data keys are destroyed (nothing sealed
 * for them can be read again, by anyone), their sessions end and their data is deleted. Answers
 * with a receipt of what was erased; keep it, it is the only copy the person gets. The local
 * session is forgotten too. Needs a step-up (`prompt`).
 *
 * @throws {ApiError} `STEP_UP_REQUIRED` when `prompt` resolves `null`.
 * @example
 *   if (await confirm('Erase your account? This cannot be undone.')) {
 *     const receipt = await eraseMyAccount(client, prompt);
 *     showReceipt(receipt.receiptId, receipt.erased);
 *   }
 */
export async function eraseMyAccount(client: CoreClient, prompt: StepUpPrompt): Promise<ErasureReceipt> {
  const receipt = await callWithStepUp(client, { method: 'DELETE', path: '/v1/accounts/me' }, prompt, parseErasureReceipt);
  await engineOf(client).endLocalSession();
  return receipt;
}
