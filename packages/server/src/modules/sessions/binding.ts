/**
 * @module modules/sessions/binding
 *
 * What a session's tokens are bound to, stored in `sessions.jkt`. Normally the RFC 7638
 * thumbprint of the device's DPoP key (43 base64url characters). The one exception is a client
 * the operator names in `sessions.bearerClients`: its sessions are bound to `bearer:<client>`,
 * accept `Authorization: Bearer` without a proof, and stop working as soon as the client is
 * taken off the list. A thumbprint never contains `:`, so the two kinds cannot be confused, and a
 * DPoP proof can never match a bearer binding (its key's thumbprint is not `bearer:…`).
 */
export const BEARER_BINDING_PREFIX = 'bearer:';

export function bearerBinding(clientId: string): string {
  return `${BEARER_BINDING_PREFIX}${clientId}`;
}

/** The client of a bearer binding, or undefined for a DPoP-bound session. */
export function bearerClientOf(binding: string): string | undefined {
  return binding.startsWith(BEARER_BINDING_PREFIX) ? binding.slice(BEARER_BINDING_PREFIX.length) : undefined;
}

/** True when `binding` is a bearer binding of a client that is still allowed. */
export function isAllowedBearerBinding(binding: string, allowedClients: readonly string[]): boolean {
  const client = bearerClientOf(binding);
  return client !== undefined && allowedClients.includes(client);
}
