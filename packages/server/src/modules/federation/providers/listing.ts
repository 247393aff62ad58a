/**
 * @module modules/federation/providers/listing
 *
 * How configured providers are named to people: "Apple" and "Google" by their brand, any other
 * OpenID Connect provider by its configured id. The public provider list a sign-in page draws
 * its buttons from carries only id, name and kind — never client ids, issuers or secrets.
 */
import type { FederationProvider } from '@portcullis/protocol';
import type { ProviderKind } from './settings.ts';

const KIND_NAMES: Readonly<Partial<Record<ProviderKind, string>>> = { apple: 'Apple', google: 'Google' };
/** Apple's and Google's buttons come first (in that order), then the others by id. */
const KIND_ORDER: Readonly<Record<ProviderKind, number>> = { apple: 0, google: 1, oidc: 2 };

/** The name people know a provider by. */
export function providerDisplayName(id: string, kind: ProviderKind): string {
  return KIND_NAMES[kind] ?? id;
}

/** Providers as a sign-in page lists them, in button order. */
export function providerListing(providers: Iterable<{ readonly id: string; readonly kind: ProviderKind }>): FederationProvider[] {
  return [...providers]
    .map(({ id, kind }) => ({ id, name: providerDisplayName(id, kind), kind }))
    .sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.id.localeCompare(b.id));
}
