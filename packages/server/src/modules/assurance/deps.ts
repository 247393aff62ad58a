/**
 * @module modules/assurance/deps
 *
 * What the assurance functions need, passed explicitly.
 */
import type { DataProtection } from '../../platform/data-protection/index.ts';
import type { Kysely } from 'kysely';
import type { Config } from '../../config/schema.ts';
import type { Clock } from '../../platform/clock/clock.ts';
import type { KeyRing } from '../../platform/crypto/index.ts';
import type { Database } from '../../platform/db/index.ts';
import type { Mailer } from '../../platform/mailer/index.ts';
import type { AttackMode } from '../defense/index.ts';
import type { OutOfBandDeps } from '../mfa/index.ts';
import type { SessionsDeps } from '../sessions/index.ts';

export interface AssuranceDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly keyRing: KeyRing;
  /** Opens the account's address for the mail it is sent (platform/contact). */
  readonly dataProtection: DataProtection;
  readonly config: Config['mfa'];
  /** `passkeys.enabled`: whether a registered passkey can sign in, so whether it counts as a factor. */
  readonly passkeySignIn: boolean;
  /** `passwords.enabled`: whether a password can sign in, so whether an account's password is a way in. */
  readonly passwordSignIn: boolean;
  readonly sessions: SessionsDeps;
  /** The MFA building blocks, with the mail and SMS senders for sign-in codes. */
  readonly mfa: OutOfBandDeps;
  readonly mailer: Mailer;
  /** Mail is sent off the request path; failures are reported here. */
  readonly onBackgroundError: (error: unknown) => void;
  /** Takeover defences that decide whether a password alone may open a session (docs/security/defense.md). */
  readonly defense: {
    /** `defense.newDevice.confirm`: a DPoP key the account never used must answer an emailed code. */
    readonly newDeviceConfirmation: boolean;
    /** While active, every device must. */
    readonly attackMode: AttackMode;
  };
}
