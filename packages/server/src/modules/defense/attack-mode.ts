/**
 * @module modules/defense/attack-mode
 *
 * Attack mode (SPEC "Defences against credential stuffing and abuse"; ASVS V6.3.1): when failed
 * password sign-ins across the deployment rise far above their usual rate, every password
 * sign-in needs the emailed code for a while, and the mode ends by itself.
 *
 * - Password sign-in outcomes are counted in one-minute buckets (attack-mode-store.ts: Redis
 *   when instances share it, memory otherwise). The window is the sum of the last
 *   `windowMinutes` buckets, the current one included.
 * - The usual ratio is the failure ratio over the previous 24 full hours, counted only outside
 *   attack mode: a long wave must not become the new normal and switch the mode off. Full hours
 *   only, so a wave that just began is not part of what it is compared with (and the value can
 *   be kept per instance until the hour turns). With fewer attempts than `minFailures` in those
 *   hours there is no usual ratio yet, and the floor alone applies.
 * - A wave: the window holds at least `minFailures` failures AND its failure ratio is at least
 *   max(`ratioFloor`, min(0.95, `usualMultiplier` × usual)). The cap keeps a deployment whose
 *   usual ratio is high able to see a wave where nearly every attempt fails.
 * - Attack mode lasts until `holdSeconds` after the last outcome that found a wave; whoever
 *   looks first after that ends it. Starting and ending are compare-and-set operations in the
 *   store, so across instances exactly one start and one end are audited.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Redis } from 'ioredis';
import type { Clock } from '../../platform/clock/clock.ts';
import type { KeyRing } from '../../platform/crypto/index.ts';
import type { Database } from '../../platform/db/index.ts';
import { detachedRequestContext, type RequestContext } from '../../platform/routes/request-context.ts';
import {
  attackModeNamespace,
  createMemoryAttackModeStore,
  createRedisAttackModeStore,
  withFallback,
  type AttackModeStore,
  type Counts,
  type Episode,
} from './attack-mode-store.ts';

export interface AttackModeConfig {
  readonly enabled: boolean;
  readonly windowMinutes: number;
  readonly minFailures: number;
  readonly ratioFloor: number;
  readonly usualMultiplier: number;
  readonly holdSeconds: number;
}

export type SignInOutcome = 'success' | 'failure';

/** What admins are shown (times in milliseconds since the epoch). */
export interface AttackModeStatus {
  readonly active: boolean;
  /** When the running episode started. */
  readonly since?: number;
  /** When it ends unless the wave is seen again. */
  readonly until?: number;
  /** Failures / attempts in the window (0 without attempts). */
  readonly failureRatio: number;
  readonly failures: number;
  readonly attempts: number;
  /** The failure ratio over the previous 24 full hours outside attack mode (0 while too few). */
  readonly usualRatio: number;
  /** The failure ratio at or above which (with `minFailures`) a wave is seen. */
  readonly threshold: number;
}

export interface AttackMode {
  /**
   * Counts one password sign-in outcome (deployment-wide), and starts or prolongs attack mode
   * when it completes a wave. `context`: the request it came from, which audits a start.
   */
  record(outcome: SignInOutcome, context?: RequestContext): Promise<void>;
  /** Whether password sign-ins need the emailed code now (also ends the mode when its time is up). */
  active(context?: RequestContext): Promise<boolean>;
  /** For admins: { active, since?, until?, failureRatio, failures, attempts, usualRatio, threshold }. */
  status(context?: RequestContext): Promise<AttackModeStatus>;
}

export interface AttackModeDeps {
  readonly db: Kysely<Database>;
  readonly clock: Clock;
  readonly keyRing: KeyRing;
  /** Shared by the instances (`redis.url`); absent, counts live in this process. */
  readonly redis?: Redis | undefined;
  readonly config: AttackModeConfig;
  /** Told of every counted outcome (the `portcullis_password_sign_ins_total` metric). */
  readonly counted?: (outcome: SignInOutcome) => void;
  /** A store other than the one `redis` selects (tests of the store's failure paths). */
  readonly store?: AttackModeStore;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const USUAL_HOURS = 24;
/** The threshold never rises above this, however high the usual ratio. */
const MAX_THRESHOLD = 0.95;

/** Never active: `defense.attackMode.enabled: false`. */
const DISABLED: AttackMode = {
  record: () => Promise.resolve(),
  active: () => Promise.resolve(false),
  status: () => Promise.resolve({ active: false, failureRatio: 0, failures: 0, attempts: 0, usualRatio: 0, threshold: 1 }),
};

const ratioOf = (counts: Counts): number => (counts.attempts === 0 ? 0 : counts.failures / counts.attempts);
const percent = (ratio: number): number => Math.round(ratio * 100);
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

interface Reading {
  readonly window: Counts;
  readonly usualRatio: number;
  readonly threshold: number;
  readonly wave: boolean;
}

export function createAttackMode(deps: AttackModeDeps): AttackMode {
  const { config, clock } = deps;
  if (!config.enabled) return DISABLED;
  const memory = createMemoryAttackModeStore();
  const store =
    deps.store ?? (deps.redis ? withFallback(createRedisAttackModeStore(deps.redis, attackModeNamespace(deps.keyRing)), memory) : memory);
  const holdMs = config.holdSeconds * 1000;
  let usual: { readonly hour: number; readonly ratio: number } | undefined;

  /** Work outside a request (a metrics scrape) audits under a context of its own. */
  const contextOr = (context: RequestContext | undefined): RequestContext =>
    context ?? detachedRequestContext({ db: deps.db, clock }, { requestId: randomUUID(), ipPrefix: 'local' });

  async function usualRatio(now: number): Promise<number> {
    const hour = Math.floor(now / HOUR_MS);
    if (usual?.hour !== hour) {
      const counts = await store.sum(range(hour - USUAL_HOURS, hour - 1).map((h) => `h:${h}`));
      usual = { hour, ratio: counts.attempts >= config.minFailures ? ratioOf(counts) : 0 };
    }
    return usual.ratio;
  }

  async function read(now: number): Promise<Reading> {
    const minute = Math.floor(now / MINUTE_MS);
    const window = await store.sum(range(minute - config.windowMinutes + 1, minute).map((m) => `m:${m}`));
    const usualNow = await usualRatio(now);
    const threshold = Math.max(config.ratioFloor, Math.min(MAX_THRESHOLD, config.usualMultiplier * usualNow));
    const wave = window.failures >= config.minFailures && ratioOf(window) >= threshold;
    return { window, usualRatio: usualNow, threshold, wave };
  }

  /** The episode still running at `now`; one past its end is ended here (and audited by whoever ends it). */
  async function running(episode: Episode | undefined, now: number, context: RequestContext | undefined): Promise<Episode | undefined> {
    if (!episode || episode.until > now) return episode;
    if (await store.end(episode.since, now)) {
      const { window } = await read(now);
      const minutes = Math.round((now - episode.since) / MINUTE_MS);
      await contextOr(context).audit('defense.attack_mode_ended', {
        actor: null,
        session: null,
        detail: `lasted_${minutes}_min_failures_${window.failures}_of_${window.attempts}`,
      });
    }
    return undefined;
  }

  /** A wave was seen at `now`: attack mode lasts until `until` at least, started if it was not on. */
  async function prolong(episode: Episode | undefined, reading: Reading, now: number, context: RequestContext | undefined): Promise<void> {
    const until = now + holdMs;
    if (episode && (await store.extend(episode.since, until, now))) return;
    if (await store.start({ since: now, until })) {
      const { window, usualRatio: usualNow } = reading;
      await contextOr(context).audit('defense.attack_mode_started', {
        actor: null,
        session: null,
        detail: `failures_${window.failures}_of_${window.attempts}_ratio_${percent(ratioOf(window))}_usual_${percent(usualNow)}`,
      });
      return;
    }
    // Another instance started it a moment ago: this wave prolongs theirs.
    const theirs = await store.episode();
    if (theirs) await store.extend(theirs.since, until, now);
  }

  return {
    async record(outcome, context) {
      deps.counted?.(outcome);
      const now = clock.now();
      const episode = await running(await store.episode(), now, context);
      const minute = Math.floor(now / MINUTE_MS);
      const buckets = [{ key: `m:${minute}`, ttlMs: (config.windowMinutes + 1) * MINUTE_MS }];
      // Outside attack mode only: a long wave must not become the usual rate.
      if (!episode) buckets.push({ key: `h:${Math.floor(now / HOUR_MS)}`, ttlMs: (USUAL_HOURS + 1) * HOUR_MS });
      await store.add(buckets, outcome === 'failure', now);
      const reading = await read(now);
      if (reading.wave) await prolong(episode, reading, now, context);
    },
    async active(context) {
      const now = clock.now();
      return (await running(await store.episode(), now, context)) !== undefined;
    },
    async status(context) {
      const now = clock.now();
      const episode = await running(await store.episode(), now, context);
      const reading = await read(now);
      return {
        active: episode !== undefined,
        ...(episode ? { since: episode.since, until: episode.until } : {}),
        failureRatio: ratioOf(reading.window),
        failures: reading.window.failures,
        attempts: reading.window.attempts,
        usualRatio: reading.usualRatio,
        threshold: reading.threshold,
      };
    },
  };
}
