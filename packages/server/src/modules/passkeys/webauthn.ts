/**
 * @module modules/passkeys/webauthn
 *
 * @simplewebauthn/server and its helpers, loaded by the first passkey operation instead of at
 * start.
 */
import type * as WebAuthnServer from '@simplewebauthn/server';
import type * as WebAuthnHelpers from '@simplewebauthn/server/helpers';

export interface WebAuthn {
  readonly server: typeof WebAuthnServer;
  readonly helpers: typeof WebAuthnHelpers;
}

let loaded: Promise<WebAuthn> | undefined;

/** Lazy: the library takes about 20 MB of every process, and passkeys are optional. */
export function loadWebAuthn(): Promise<WebAuthn> {
  loaded ??= Promise.all([import('@simplewebauthn/server'), import('@simplewebauthn/server/helpers')]).then(([server, helpers]) => ({
    server,
    helpers,
  }));
  return loaded;
}
