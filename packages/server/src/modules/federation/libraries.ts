/**
 * @module modules/federation/libraries
 *
 * openid-client and jose, loaded when a configured provider is first used instead of at start.
 */
import type * as Jose from 'jose';
import type * as OpenIdClient from 'openid-client';

let openIdClient: Promise<typeof OpenIdClient> | undefined;
let jose: Promise<typeof Jose> | undefined;

/** Lazy: federation is optional, and the library would otherwise take memory in every process. */
export function loadOpenIdClient(): Promise<typeof OpenIdClient> {
  openIdClient ??= import('openid-client');
  return openIdClient;
}

/** Lazy for the same reason: only provider keys and tokens need it. */
export function loadJose(): Promise<typeof Jose> {
  jose ??= import('jose');
  return jose;
}
