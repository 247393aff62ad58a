/**
 * @module modules/defense/attack-mode
 *
 * Attack mode (docs/security/defense.md): while failed password sign-ins across the deployment
 * run far above their usual rate, every password sign-in of an account without a second factor
 * needs the emailed code, known device or not. The sign-in state machine asks `active()`; the
 * password sign-in reports each outcome with `record()`.
 */

export interface AttackModeStatus {
  readonly active: boolean;
}

export interface AttackMode {
  /** Counts one password sign-in outcome (deployment-wide). */
  record(outcome: 'success' | 'failure'): Promise<void>;
  /** Whether password sign-ins need the emailed code now. */
  active(): Promise<boolean>;
  /** What an administrator's banner shows. */
  status(): Promise<AttackModeStatus>;
}

/** Until the detector lands: never active. */
export function createAttackMode(): AttackMode {
  return {
    async record() {},
    async active() {
      return false;
    },
    async status() {
      return { active: false };
    },
  };
}
