/**
 * @module modules/mfa/deps
 *
 * What the MFA functions need, passed explicitly: the database, the clock (the only time source
 * for TOTP steps — never the client's), the key ring (seed sealing and recovery-code HMAC) and
 * the sessions module (other sessions end when factors change); and who is asking, when the
 * signed-in person changes their own factors (`FactorOwner`).
 */
import type { DataProtection } from '../../platform/data-protection/index.ts';
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock/clock.ts';
import type { KeyRing } from '../../platform/crypto/index.ts';
import type { Database } from '../../platform/db/index.ts';
import type { Mailer } from '../../platform/mailer/index.ts';
import type { SmsSender } from '../../platform/sms/index.ts';
import type { AssuranceAdvisor } from '../../platform/routes/authentication.ts';
import type { Principal } from '../../platform/routes/principal.ts';
import type { SessionsDeps } from '../sessions/index.ts';

export interface MfaDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly keyRing: KeyRing;
  /** Seals phone numbers per person and opens the account's address (platform/contact). */
  readonly dataProtection: DataProtection;
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

/**
 * What adding a factor needs on top: the advice the route contract gives a session below a
 * route's level, so that a session too weak to add another factor is refused with the same
 * answer (`AUTH_LEVEL_INSUFFICIENT`, the level to reach and the kinds of factor that reach it).
 */
export interface EnrolmentDeps extends MfaDeps {
  readonly assuranceAdvisor: AssuranceAdvisor;
}

/**
 * The signed-in person acting on their own factors: the account, the session making the change
 * (it stays when the others are signed out), and how strongly it signed in (enrolment rules).
 * A route passes its principal.
 */
export type FactorOwner = Pick<Principal, 'accountId' | 'sessionId' | 'aal' | 'roles'>;

export const DEFAULT_ISSUER = 'Portcullis';
