/**
 * @module modules/federation/apple/notifications
 *
 * Sign in with Apple server-to-server notifications. Apple POSTs `{"payload": "<JWT>"}` to the
 * endpoint registered in the developer portal when a person changes how they use their Apple
 * Account with the app. The JWT is verified like an ID token — signature with Apple's published
 * keys, `iss` = `https://appleid.apple.com`, `aud` = one of our client ids, `iat` not in the
 * future and not older than a day — and each `jti` is applied once.
 *
 * Event types and what they do:
 * - `email-disabled` / `email-enabled`: the person stopped / restarted forwarding from their
 *   private-relay address; recorded on the identity (mail to the relay address would bounce).
 * - `consent-revoked`: the person stopped using Apple sign-in with the app. Apple has revoked
 *   its tokens; we sign the account out everywhere and drop the stored token. The link stays,
 *   so signing in with Apple again returns to the same account.
 * - `account-delete`: the Apple Account is gone; its identifier will never sign in again. The
 *   link is removed and the account signed out everywhere.
 *
 * Notifications can arrive out of order: one whose `event_time` is older than the last applied
 * to the identity is recorded but not applied.
 *
 * Every notification is audited as `federation.notification_received`. It arrives on a public
 * route from Apple, not from a person: the events name no actor, and the identity's account (once
 * known) as subject.
 */
import type { JWTPayload } from 'jose';
import { withTransaction } from '../../../platform/db/index.ts';
import { appError } from '../../../platform/errors/app-error.ts';
import { revokeSessions } from '../../sessions/index.ts';
import type { RequestContext } from '../../../platform/routes/request-context.ts';
import type { FederationDeps } from '../deps.ts';
import { sha256Base64Url } from '../digest.ts';
import { parseBooleanClaim } from '../identity/claims.ts';
import { tokenFailureOf, verifyProviderJwt } from '../identity/verify-id-token.ts';
import { providerById } from '../native-flow.ts';
import * as repo from '../repository.ts';

export const APPLE_EVENT_TYPES = ['email-disabled', 'email-enabled', 'consent-revoked', 'account-delete'] as const;
export type AppleEventType = (typeof APPLE_EVENT_TYPES)[number];

export interface AppleEvent {
  readonly type: AppleEventType;
  readonly subject: string;
  readonly eventTime: number;
  readonly isPrivateEmail: boolean;
}

/** Notifications carry no `exp`; this bounds how long a captured one stays acceptable. */
export const NOTIFICATION_MAX_AGE_SECONDS = 86_400;

function isAppleEventType(value: unknown): value is AppleEventType {
  return typeof value === 'string' && (APPLE_EVENT_TYPES as readonly string[]).includes(value);
}

/** Apple sends `events` as a JSON string; an object is accepted too. */
export function parseAppleEvent(claims: JWTPayload): AppleEvent | undefined {
  let events: unknown = claims['events'];
  if (typeof events === 'string') {
    try {
      events = JSON.parse(events);
    } catch {
      return undefined;
    }
  }
  if (typeof events !== 'object' || events === null) return undefined;
  const { type, sub, event_time: eventTime, is_private_email: isPrivateEmail } = events as Record<string, unknown>;
  if (!isAppleEventType(type) || typeof sub !== 'string' || sub === '' || sub.length > 255) return undefined;
  if (typeof eventTime !== 'number' || !Number.isFinite(eventTime)) return undefined;
  return { type, subject: sub, eventTime, isPrivateEmail: parseBooleanClaim(isPrivateEmail) };
}

const REASONS: Readonly<Record<AppleEventType, string>> = {
  'email-disabled': 'email_disabled',
  'email-enabled': 'email_enabled',
  'consent-revoked': 'consent_revoked',
  'account-delete': 'account_delete',
};

/**
 * Verifies and applies one notification.
 *
 * @throws {AppError} FEDERATION_PROVIDER_UNKNOWN (not an Apple provider), FEDERATION_NOTIFICATION_INVALID.
 */
export async function receiveAppleNotification(
  deps: FederationDeps,
  providerId: string,
  payload: string,
  context: RequestContext,
): Promise<void> {
  const provider = providerById(deps, providerId);
  if (provider.settings.kind !== 'apple')
    throw appError('FEDERATION_PROVIDER_UNKNOWN', { detail: 'notifications are for Apple providers' });
  const now = deps.clock.now();
  let claims: JWTPayload;
  try {
    claims = await verifyProviderJwt(provider, payload, {
      audiences: provider.settings.audiences,
      nonce: undefined,
      maxAgeSeconds: NOTIFICATION_MAX_AGE_SECONDS,
      now,
      clockToleranceSeconds: deps.limits.clockToleranceSeconds,
      requiredClaims: ['iss', 'aud', 'iat', 'jti', 'events'],
    });
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'FEDERATION_TOKEN_INVALID') throw error;
    const detail = `invalid_${tokenFailureOf(error)}`;
    await context.audit('federation.notification_received', { outcome: 'failure', actor: null, subject: null, detail });
    throw appError('FEDERATION_NOTIFICATION_INVALID', { detail: tokenFailureOf(error) });
  }
  const event = parseAppleEvent(claims);
  if (!event || typeof claims.jti !== 'string') {
    await context.audit('federation.notification_received', { outcome: 'failure', actor: null, subject: null, detail: 'invalid_event' });
    throw appError('FEDERATION_NOTIFICATION_INVALID', { detail: 'unrecognised event' });
  }
  const firstDelivery = await repo.claimOnce(
    deps.db,
    sha256Base64Url(`apple-notification\0${provider.settings.id}\0${claims.jti}`),
    now + 2 * NOTIFICATION_MAX_AGE_SECONDS * 1000,
    now,
  );
  const identity = await repo.findIdentity(deps.db, provider.settings.id, event.subject);
  const reason = REASONS[event.type];
  if (!firstDelivery || !identity || (identity.last_event_at !== null && event.eventTime < identity.last_event_at)) {
    // A repeat, someone we do not know, or overtaken by a newer event: acknowledged, not applied.
    const subject = identity?.account_id ?? null;
    await context.audit('federation.notification_received', { actor: null, subject, detail: `${reason}_ignored` });
    return;
  }
  await withTransaction(deps.db, async (tx) => {
    switch (event.type) {
      case 'email-disabled':
        await repo.setIdentityEvent(tx, identity.id, { last_event_at: event.eventTime, email_forwarding_disabled_at: now });
        break;
      case 'email-enabled':
        await repo.setIdentityEvent(tx, identity.id, { last_event_at: event.eventTime, email_forwarding_disabled_at: null });
        break;
      case 'consent-revoked':
        await repo.clearProviderToken(tx, identity.id);
        await repo.setIdentityEvent(tx, identity.id, { last_event_at: event.eventTime });
        break;
      case 'account-delete':
        await repo.deleteIdentity(tx, identity.account_id, identity.id);
        break;
    }
    await context.audit('federation.notification_received', { actor: null, subject: identity.account_id, detail: reason }, tx);
  });
  if (event.type === 'consent-revoked' || event.type === 'account-delete') {
    await revokeSessions(deps.sessions, { accountId: identity.account_id, reason: `apple_${reason}` }, context);
  }
}
