/**
 * @module modules/defense/password-attempts
 *
 * Credential-stuffing and guessing defences for password checks (SPEC "Defences against
 * credential stuffing and abuse"; ASVS V6.3.1, NIST SP 800-63B §5.2.2). Before any Argon2id
 * work, one attempt is taken from each of these counters:
 * - per address and network, a ladder of windows (5 a minute, 10 in 15 minutes, 20 a day by
 *   default): the wait grows with each step, and a correct password clears the ladder;
 * - per address from anywhere (100 a day): many networks against one account. It pauses the
 *   password factor only; passkeys, federated sign-in and reset keep working (`forgive` clears it
 *   after a reset), and its first refusal is reported so the owner can be told;
 * - per network (100 wrong passwords an hour): one source walking a leaked list;
 * - global: during a wave from many networks, networks with a wrong password in their window are
 *   refused while the others still sign in.
 * A success gives every unit back (per network, global) or clears the counter (the consecutive
 * ones); a failure keeps them. Addresses are counted whether or not an account has them, so a
 * refusal answers the same either way. Taking first makes the bound hold under any burst.
 */
import type { WindowLimit, WindowLimiter, WindowLimiters } from '../../platform/rate-limit/window-limiter.ts';

export interface PasswordFailureLimits {
  readonly perAccountAndNetwork: readonly WindowLimit[];
  readonly perAccount: WindowLimit;
  readonly perNetwork: WindowLimit;
  readonly global: WindowLimit;
}

/** Which counter refused: `account` is the one the owner is told about. */
export type ThrottleScope = 'account_network' | 'account' | 'network' | 'global';

export interface PasswordAttempt {
  /** The password was right: the consecutive counters start over. */
  succeeded(): Promise<void>;
  /** The password was wrong (or the address unknown): the attempt stays counted. */
  failed(): Promise<void>;
}

export type Admission =
  | { readonly admitted: true; readonly attempt: PasswordAttempt }
  | {
      readonly admitted: false;
      readonly scope: ThrottleScope;
      readonly retryAfterMs: number;
      /** This refusal is the first of its window for the address (notify and audit once, not per request). */
      readonly accountNewlyThrottled: boolean;
    };

export interface PasswordAttemptGuard {
  /** `address` is the normalised email; `network` from `networkOf`. */
  admit(subject: { readonly address: string; readonly network: string }): Promise<Admission>;
  /** A completed password reset proves control of the address: its counters start over. */
  forgive(address: string): Promise<void>;
}

const GLOBAL = 'all';

interface Counter {
  readonly limiter: WindowLimiter;
  readonly identifier: string;
  readonly scope: ThrottleScope;
  /** Cleared on success (consecutive failures) rather than given back one unit. */
  readonly consecutive: boolean;
}

export function createPasswordAttemptGuard(limiters: WindowLimiters, limits: PasswordFailureLimits): PasswordAttemptGuard {
  const ladder = limits.perAccountAndNetwork.map((limit, step) => limiters.create(`password-account-network-${step}`, limit));
  const perAccount = limiters.create('password-account', limits.perAccount);
  const perNetwork = limiters.create('password-network', limits.perNetwork);
  const global = limiters.create('password-global', limits.global);

  const countersFor = (address: string, network: string): Counter[] => [
    ...ladder.map((limiter) => ({ limiter, identifier: `${address}\0${network}`, scope: 'account_network' as const, consecutive: true })),
    { limiter: perAccount, identifier: address, scope: 'account', consecutive: true },
    { limiter: perNetwork, identifier: network, scope: 'network', consecutive: false },
    { limiter: global, identifier: GLOBAL, scope: 'global', consecutive: false },
  ];

  /** After a success: consecutive counters start over, the others get their unit back. */
  async function releaseAfterSuccess(counters: readonly Counter[]): Promise<void> {
    await Promise.all(counters.map((c) => (c.consecutive ? c.limiter.clear(c.identifier) : c.limiter.giveBack(c.identifier))));
  }

  return {
    async admit({ address, network }) {
      const counters = countersFor(address, network);
      const taken = await Promise.all(counters.map((c) => c.limiter.take(c.identifier)));
      // Over the global limit, only networks that already failed here are held back.
      const networkFailedBefore = (taken[counters.findIndex((c) => c.scope === 'network')]?.used ?? 0) > 1;
      const refusing = counters.flatMap((counter, i) => {
        const t = taken[i];
        if (!t || t.allowed || (counter.scope === 'global' && !networkFailedBefore)) return [];
        return [{ counter, taken: t }];
      });
      if (refusing.length === 0) {
        let settled = false;
        const settle = async (success: boolean): Promise<void> => {
          if (settled) return;
          settled = true;
          if (success) await releaseAfterSuccess(counters);
        };
        return { admitted: true, attempt: { succeeded: () => settle(true), failed: () => settle(false) } };
      }
      // A refused attempt checks no password, so the counters that let it through get their unit
      // back: it must not fill the next step of the ladder or another window. The refusing ones
      // keep it; their window ends when it would have anyway (fixed windows), and the count past
      // the limit tells the first refusal of a window from later ones.
      const letThrough = counters.filter((c) => !refusing.some((r) => r.counter === c));
      await Promise.all(letThrough.map((c) => c.limiter.giveBack(c.identifier)));
      const longest = refusing.reduce((a, b) => (b.taken.retryAfterMs > a.taken.retryAfterMs ? b : a));
      const account = refusing.find((r) => r.counter.scope === 'account');
      return {
        admitted: false,
        scope: longest.counter.scope,
        retryAfterMs: longest.taken.retryAfterMs,
        accountNewlyThrottled: account !== undefined && account.taken.used === limits.perAccount.max + 1,
      };
    },
    async forgive(address) {
      await perAccount.clear(address);
    },
  };
}
