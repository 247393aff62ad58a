/**
 * @module modules/federation/identity/claims
 *
 * Reads the attributes Portcullis uses from verified ID-token claims, through the provider's
 * claim mapping. Providers disagree on shapes: Apple sends `email_verified` and
 * `is_private_email` as the strings "true"/"false" as often as booleans, so both are accepted
 * and anything else counts as false. Apple private-relay addresses
 * (`…@privaterelay.appleid.com`) are verified addresses of that Apple identity: Apple created
 * them for this person and this app and forwards to their verified address.
 */
import type { JWTPayload } from 'jose';
import { normalizeEmail } from '../../accounts/index.ts';
import type { ProviderSettings } from '../providers/settings.ts';
import { tokenInvalid } from './verify-id-token.ts';

/** Who the person is at the provider, and what the provider says about their address. */
export interface ExternalIdentityClaims {
  readonly provider: string;
  /** Stable, never-reassigned identifier at the provider (OIDC `sub`). */
  readonly subject: string;
  readonly email: string | null;
  readonly emailVerified: boolean;
  readonly isPrivateEmail: boolean;
  readonly givenName?: string | undefined;
  readonly familyName?: string | undefined;
}

const APPLE_PRIVATE_RELAY_DOMAIN = '@privaterelay.appleid.com';
const MAX_NAME_LENGTH = 100;

/** `true` and `"true"` (any case) are true; everything else, including absence, is false. */
export function parseBooleanClaim(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
}

function plausibleEmail(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 254) return null;
  const email = normalizeEmail(value);
  return /^[^\s@]+@[^\s@]+$/.test(email) ? email : null;
}

function nameClaim(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const name = value.trim();
  return name === '' ? undefined : name.slice(0, MAX_NAME_LENGTH);
}

/** @throws {AppError} FEDERATION_TOKEN_INVALID when the subject claim is missing or unusable. */
export function identityFromClaims(settings: ProviderSettings, claims: JWTPayload): ExternalIdentityClaims {
  const subject = claims[settings.claims.subject];
  if (typeof subject !== 'string' || subject === '' || subject.length > 255) throw tokenInvalid('missing_claim');
  const email = plausibleEmail(claims[settings.claims.email]);
  const isPrivateEmail =
    settings.kind === 'apple' && (parseBooleanClaim(claims['is_private_email']) || (email?.endsWith(APPLE_PRIVATE_RELAY_DOMAIN) ?? false));
  const emailVerified = email !== null && (parseBooleanClaim(claims[settings.claims.emailVerified]) || isPrivateEmail);
  return {
    provider: settings.id,
    subject,
    email,
    emailVerified,
    isPrivateEmail,
    givenName: nameClaim(claims[settings.claims.givenName]),
    familyName: nameClaim(claims[settings.claims.familyName]),
  };
}

/**
 * Sign in with Apple's `user` form parameter: `{"name":{"firstName":…,"lastName":…},"email":…}`,
 * sent on the first authorization only. It is not signed, so it is used only as a name hint
 * handed back to the app — never as identity or email (those come from the verified ID token).
 */
export function parseAppleUser(raw: string | undefined): { givenName?: string; familyName?: string } | undefined {
  if (raw === undefined || raw.length > 4096) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const name = (parsed as { name?: unknown }).name;
  if (typeof name !== 'object' || name === null) return undefined;
  const givenName = nameClaim((name as { firstName?: unknown }).firstName);
  const familyName = nameClaim((name as { lastName?: unknown }).lastName);
  if (givenName === undefined && familyName === undefined) return undefined;
  return { ...(givenName === undefined ? {} : { givenName }), ...(familyName === undefined ? {} : { familyName }) };
}
