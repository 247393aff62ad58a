/**
 * @module bench/simulations/stuffing/scenario
 *
 * The numbers of the credential-stuffing simulation, from the issue, and the addresses every
 * party signs in from. `STUFFING_SCALE` shrinks the population, the leaked list and the quiet
 * phase alike (CI runs 0.05: 500 accounts, 250 pairs); the attacker sizes, the shares and the
 * goals never change with it.
 */

export interface Scenario {
  readonly scale: number;
  /** Accounts: 30% password only, 50% password and authenticator app, 20% passkey only. */
  readonly population: { readonly passwordOnly: number; readonly totp: number; readonly passkeyOnly: number };
  /** Pairs in the leaked list, and the share of them that is a right address and password. */
  readonly leakedPairs: number;
  readonly correctShare: number;
  /** Of the wrong pairs: the share for real accounts (an old password); the rest name no account. */
  readonly wrongForRealAccountShare: number;
  /** Source addresses the list is replayed from, one run each against a fresh server. */
  readonly attackerSizes: readonly number[];
  /** Attacker requests in flight at once, whatever the number of addresses. */
  readonly attackConcurrency: number;
  /** Legitimate sign-ins started per second, from the start of the quiet phase to the end of the attack. */
  readonly legitimatePerSecond: number;
  /** Seconds of legitimate traffic alone before the attack starts (the "usual" the server knows). */
  readonly quietSeconds: number;
  readonly goals: Goals;
}

export interface Goals {
  readonly maxCompromised: number;
  /** Lowest share of legitimate sign-ins that end with tokens. */
  readonly minLegitimateSuccess: number;
  /** Highest share of legitimate sign-ins that needed a step beyond their usual flow. */
  readonly maxLegitimateFriction: number;
}

export const GOALS: Goals = { maxCompromised: 0, minLegitimateSuccess: 0.99, maxLegitimateFriction: 0.05 };

const FULL_POPULATION = 10_000;
const FULL_LEAKED_PAIRS = 5_000;
const FULL_QUIET_SECONDS = 30;

export function readScale(value: string | undefined): number {
  const scale = Number(value ?? '1');
  if (!(scale > 0 && scale <= 1)) throw new RangeError(`STUFFING_SCALE must be a number above 0 and at most 1, got "${value}"`);
  return scale;
}

export function scenarioAt(scale: number): Scenario {
  const population = Math.max(10, Math.round(FULL_POPULATION * scale));
  const passwordOnly = Math.round(population * 0.3);
  const totp = Math.round(population * 0.5);
  return {
    scale,
    population: { passwordOnly, totp, passkeyOnly: population - passwordOnly - totp },
    leakedPairs: Math.max(10, Math.round(FULL_LEAKED_PAIRS * scale)),
    correctShare: 0.2,
    wrongForRealAccountShare: 0.5,
    attackerSizes: [1, 50, 1000],
    attackConcurrency: 16,
    legitimatePerSecond: 10,
    quietSeconds: Math.max(5, Math.round(FULL_QUIET_SECONDS * scale)),
    goals: GOALS,
  };
}

/**
 * Loopback source addresses (Linux routes all of 127.0.0.0/8 to `lo`; the server listens on
 * 127.0.0.1). Each is an IPv4 address, so each is a network of its own to the server's limits.
 * People get 127.10.0.0/15 and up, one address each (their home network); attackers 127.66.0.0/16.
 */
function loopback(second: number, n: number): string {
  return `127.${second + Math.floor(n / 62_500)}.${(Math.floor(n / 250) % 250) + 1}.${(n % 250) + 1}`;
}

export const personAddress = (index: number): string => loopback(10, index);
export const attackerAddress = (index: number): string => loopback(66, index);
