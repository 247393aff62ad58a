/**
 * @module modules/passkeys
 *
 * Passkeys (WebAuthn): registration for signed-in people, discoverable sign-in that mints an
 * `aal2_phr` session through the sessions module, passkey management, and the association
 * files native apps need. Other modules and app.ts import from here only.
 */
import type { Config } from '../../config/schema.ts';
import type { PasskeysDeps } from './deps.ts';
import { passkeysRoutes } from './routes.ts';
import type { TokenRequestProof } from '../sessions/index.ts';
import { createRelyingParty } from './relying-party.ts';
import { wellKnownRoutes } from './well-known-routes.ts';
import { createPasskeyStepUp, type PasskeyStepUp } from './step-up.ts';
import type { RouteApp } from '../../platform/routes/route-app.ts';

export type { PasskeyStepUp } from './step-up.ts';

/** Everything the module needs from app.ts. */
export interface PasskeysModuleDeps {
  readonly config: Config;
  readonly db: PasskeysDeps['db'];
  readonly clock: PasskeysDeps['clock'];
  readonly sessions: PasskeysDeps['sessions'];
  readonly dataProtection: PasskeysDeps['dataProtection'];
  readonly tokenRequestProof: TokenRequestProof;
}

/** The passkeys plugin; registers nothing when `passkeys.enabled` is false. */
export function passkeysModule(deps: PasskeysModuleDeps) {
  return async function passkeys(app: RouteApp): Promise<void> {
    if (!deps.config.passkeys.enabled) return;
    const relyingParty = await createRelyingParty(deps.config);
    await app.register(
      passkeysRoutes({
        passkeys: {
          db: deps.db,
          clock: deps.clock,
          dataProtection: deps.dataProtection,
          sessions: deps.sessions,
          relyingParty,
          rolePolicy: deps.config.mfa.requiredLevel,
        },
        tokenRequestProof: deps.tokenRequestProof,
      }),
    );
    await app.register(wellKnownRoutes(deps.config.passkeys));
  };
}

/** Passkeys as a step-up factor (for the step-up module), or `null` when passkeys are disabled. */
export async function passkeyStepUp(deps: Pick<PasskeysModuleDeps, 'config' | 'db' | 'clock'>): Promise<PasskeyStepUp | null> {
  if (!deps.config.passkeys.enabled) return null;
  return createPasskeyStepUp({ db: deps.db, clock: deps.clock, relyingParty: await createRelyingParty(deps.config) });
}
export { forgetPasskeysOf, passkeysHeldAbout } from './held.ts';
