/**
 * @module modules/mfa/deps
 *
 * What the MFA functions need, passed explicitly: the database, the clock (the only time source
 * for TOTP steps — never the client's), the key ring (seed sealing and recovery-code HMAC) and
 * the sessions module (other sessions end when factors change).
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock/clock.ts';
import type { KeyRing } from '../../platform/crypto/index.ts';
import type { Database } from '../../platform/db/index.ts';
import type { Mailer } from '../../platform/mailer/index.ts';
import type { SmsSender } from '../../platform/sms/index.ts';
import type { SessionsDeps } from '../sessions/index.ts';
import type { RequestContext } from '../../platform/routes/request-context.ts';

export interface MfaDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly keyRing: KeyRing;
  readonly sessions: SessionsDeps;
  /** Issuer shown by authenticator apps next to the account (`otpauth` issuer). Defaults to "Portcullis". */
  readonly issuer?: string;
}

/**
 * What codes sent by email or SMS need on top: the senders, and the role policy, which the
 * assurance module owns and the app passes in (a phone cannot be added by someone whose role
 * would never be offered SMS codes).
 */
export interface OutOfBandDeps extends MfaDeps {
  readonly mailer: Mailer;
  /** Null when SMS codes are switched off (`mfa.smsCodes.enabled: false`). */
  readonly sms: SmsSender | null;
  /** Whether email and SMS codes may serve an account with these roles (their required level is `aal1`). */
  readonly outOfBandAllowedFor: (roles: readonly string[]) => boolean;
}

/** Request identifiers recorded with audit events; `sessionId` when a signed-in session acts. */
export interface AuditContext extends RequestContext {
  readonly sessionId?: string;
}

export const DEFAULT_ISSUER = 'Portcullis';
