/**
 * @module modules/passkeys/step-up
 *
 * Passkeys as a step-up factor, for the step-up module: request options that list the signed-in
 * account's usable passkeys, and verification of an assertion through the same
 * `verifyAssertion` sign-in uses (user verification required, counter and clone checks, the use
 * recorded and audited). The step-up module owns the challenge: it derives it from the action,
 * spends it before calling `verify`, and decides what a verified assertion authorizes.
 */
import type { AuthenticationCredential, StepUpPasskeyOptions } from '@portcullis/protocol';
import type { RequestContext } from '../../platform/routes/request-context.ts';
import { verifyAssertion, type AssertionDeps } from './assertion.ts';
import * as repo from './repository.ts';

export interface PasskeyStepUp {
  /** Request options over `challenge` (base64url) for the account's passkeys that are not suspended. */
  options(accountId: string, challenge: string): Promise<StepUpPasskeyOptions>;
  /** Verifies an assertion over `challenge` by one of the account's passkeys; failures carry an audit reason. */
  verify(
    input: { readonly accountId: string; readonly credential: AuthenticationCredential; readonly challenge: string },
    context: RequestContext,
  ): Promise<{ readonly ok: true } | { readonly ok: false; readonly reason: string }>;
}

function transportsOf(stored: string): string[] {
  try {
    const parsed = JSON.parse(stored) as unknown;
    return Array.isArray(parsed) ? parsed.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

export function createPasskeyStepUp(deps: AssertionDeps): PasskeyStepUp {
  return {
    options: async (accountId, challenge) => {
      const credentials = (await repo.listCredentials(deps.db, accountId)).filter((credential) => credential.suspended_at === null);
      return {
        challenge,
        rpId: deps.relyingParty.id,
        timeout: deps.relyingParty.challengeTtlMs,
        userVerification: 'required',
        allowCredentials: credentials.map((credential) => ({
          id: credential.credential_id,
          type: 'public-key' as const,
          transports: transportsOf(credential.transports),
        })),
      };
    },
    verify: async (input, context) => {
      const result = await verifyAssertion(
        deps,
        { response: input.credential, expectedChallenge: input.challenge, accountId: input.accountId },
        context,
      );
      return result.ok ? { ok: true } : { ok: false, reason: result.reason };
    },
  };
}
