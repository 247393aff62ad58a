/**
 * @module bench/simulations/credential-stuffing
 *
 * `npm run bench -- stuffing`: the credential-stuffing simulation (BENCHMARKS.md, "The
 * credential-stuffing simulation"). A population of accounts (30% password only, 50% password
 * and authenticator app, 20% passkey only) signs in as usual from its own phones and networks,
 * first alone (the quiet phase: what the server learns as usual), then while an attacker
 * replays a leaked list of address/password pairs, 20% of them right, from 1, 50 and 1,000
 * loopback source addresses: one run per size, each against a fresh server process (a copy of
 * the same set-up data directory, so no limiter state or device carries over).
 *
 * It reports, per size: attempts, refusals, challenges, accounts the attacker got tokens for
 * (goal 0), legitimate sign-ins that succeeded (goal at least 99%) and that needed an extra step
 * (goal at most 5%), and the server's CPU per sign-in attempt, measured in the server process
 * alone. Results go to bench/results/stuffing-<date>.json and a plot beside it. The exit code is
 * non-zero when a goal is missed or any request gets an answer it should never get.
 * `STUFFING_SCALE` (0 < s <= 1) shrinks the population, the list and the quiet phase; CI runs
 * 0.05.
 */
import { randomInt } from 'node:crypto';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateDPoPKey, type DPoPKey } from '../lib/dpop.ts';
import { RESULTS_DIR, describeMachine, describeSource, formatMachine, formatSource } from '../lib/report.ts';
import { spawnSimulationServer, type TargetHandle } from '../lib/spawn-target.ts';
import {
  attackerAttempt,
  legitimateSignIn,
  Mailbox,
  type LeakedPair,
  type LegitimateContext,
  type LegitimateOutcome,
} from './stuffing/flows.ts';
import { LoopbackClient } from './stuffing/http-client.ts';
import { renderPlot, type Panel, type Second } from './stuffing/plot.ts';
import { setUpPopulation, type Kind, type Person, type Population } from './stuffing/population.ts';
import { attackerAddress, readScale, scenarioAt, type Scenario } from './stuffing/scenario.ts';

const PROGRESS_EVERY_MS = 5000;

type Log = (line: string) => void;

interface Tally {
  signIns: number;
  succeeded: number;
  extraStep: number;
  failed: number;
}

const emptyTally = (): Tally => ({ signIns: 0, succeeded: 0, extraStep: 0, failed: 0 });

function count(tally: Tally, outcome: LegitimateOutcome): void {
  tally.signIns += 1;
  if (outcome.succeeded) tally.succeeded += 1;
  else tally.failed += 1;
  if (outcome.extraStep) tally.extraStep += 1;
}

const share = (part: number, whole: number): number => (whole === 0 ? 1 : part / whole);
const bump = (counts: Record<string, number>, key: string): void => {
  counts[key] = (counts[key] ?? 0) + 1;
};

export interface RunResult {
  readonly sources: number;
  readonly quietSeconds: number;
  readonly attackSeconds: number;
  readonly attacker: {
    readonly attempts: number;
    readonly refused: number;
    readonly challenged: number;
    /** Distinct accounts whose password the attacker had right and the server accepted as a first factor. */
    readonly firstFactorPassed: number;
    readonly compromised: number;
    readonly compromisedAccounts: readonly string[];
    readonly answers: Record<string, number>;
  };
  readonly legitimate: {
    readonly all: Tally;
    readonly quiet: Tally;
    readonly attack: Tally;
    readonly byKind: Record<Kind, Tally>;
    /** Why people were asked for more than usual (`challenge.reason`). */
    readonly extraStepReasons: Record<string, number>;
    readonly answers: Record<string, number>;
  };
  readonly serverCpu: {
    /** Server CPU (every thread) during the attack window, in milliseconds. */
    readonly attackMs: number;
    /** …divided by the sign-in attempts (attacker and legitimate) started in it. */
    readonly perAttemptMs: number;
    /** Server CPU per legitimate sign-in in the quiet phase, for comparison. */
    readonly quietPerSignInMs: number;
  };
  readonly timeline: Panel;
  /** Times attack mode started during the run (its audit events); 0 means every challenge was a new device or a second factor. */
  readonly attackModeStarted: number;
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = randomInt(i + 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/**
 * The leaked list: right pairs for people who have a password, chosen at random among
 * password-only and authenticator-app accounts; wrong pairs, half an old password for a real
 * account (passkey-only ones included: they have no password to be right), half an address with
 * no account here.
 */
function leakedList(scenario: Scenario, people: readonly Person[]): LeakedPair[] {
  const correct = Math.round(scenario.leakedPairs * scenario.correctShare);
  const wrong = scenario.leakedPairs - correct;
  const forRealAccounts = Math.round(wrong * scenario.wrongForRealAccountShare);
  const withPassword = shuffle(people.filter((person) => person.password !== null));
  const pairs: LeakedPair[] = withPassword.slice(0, correct).map((person) => ({
    email: person.email,
    password: person.password ?? '',
    correct: true,
  }));
  for (let i = 0; i < forRealAccounts; i += 1) {
    const person = people[randomInt(people.length)] as Person;
    pairs.push({ email: person.email, password: `${person.index}-Summer-${randomInt(1_000_000)}!`, correct: false });
  }
  for (let i = 0; i < wrong - forRealAccounts; i += 1) {
    pairs.push({ email: `leaked-${i}@elsewhere.example`, password: `Password-${randomInt(1_000_000)}!`, correct: false });
  }
  return shuffle(pairs);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function cpuMs(server: TargetHandle): Promise<number> {
  return (await server.usage()).cpuMicros / 1000;
}

class Timeline {
  readonly #started = Date.now();
  readonly #seconds: Record<keyof Second, number>[] = [];
  #compromised = 0;

  #at(): Record<keyof Second, number> {
    const index = Math.floor((Date.now() - this.#started) / 1000);
    while (this.#seconds.length <= index) {
      this.#seconds.push({
        attempts: 0,
        refused: 0,
        challenged: 0,
        compromisedSoFar: this.#compromised,
        legitimate: 0,
        legitimateFailed: 0,
      });
    }
    return this.#seconds[index] as Record<keyof Second, number>;
  }

  elapsed(): number {
    return (Date.now() - this.#started) / 1000;
  }

  attack(outcome: { refused: boolean; challenged: boolean }, newlyCompromised: boolean): void {
    const second = this.#at();
    second.attempts += 1;
    if (outcome.refused) second.refused += 1;
    if (outcome.challenged) second.challenged += 1;
    if (newlyCompromised) this.#compromised += 1;
    second.compromisedSoFar = this.#compromised;
  }

  legitimate(outcome: LegitimateOutcome): void {
    const second = this.#at();
    second.legitimate += 1;
    if (!outcome.succeeded) second.legitimateFailed += 1;
  }

  panel(title: string, attackStart: number, attackEnd: number): Panel {
    this.#at();
    return { title, attackStart, attackEnd, seconds: this.#seconds.map((s) => ({ ...s })) };
  }
}

async function runOnce(
  scenario: Scenario,
  population: Population,
  pairs: readonly LeakedPair[],
  sources: number,
  log: Log,
): Promise<RunResult> {
  const runDir = await mkdtemp(path.join(tmpdir(), `portcullis-stuffing-${sources}-`));
  const dataDir = path.join(runDir, 'data');
  await cp(population.dataDir, dataDir, { recursive: true });
  const server = await spawnSimulationServer(dataDir, path.join(runDir, 'server.log'));
  const url = server.ready.kind === 'http' ? server.ready.url : '';
  const mailbox = new Mailbox(dataDir, path.join(dataDir, 'bench.db'));
  const legitClient = new LoopbackClient(url);
  const attackClient = new LoopbackClient(url);
  const label = `${sources} source address${sources === 1 ? '' : 'es'}`;
  try {
    const timeline = new Timeline();
    const context: LegitimateContext = { client: legitClient, mailbox, totpSteps: new Map() };
    const legit = {
      all: emptyTally(),
      quiet: emptyTally(),
      attack: emptyTally(),
      byKind: { password: emptyTally(), totp: emptyTally(), passkey: emptyTally() },
    };
    const extraStepReasons: Record<string, number> = {};
    const legitAnswers: Record<string, number> = {};
    const attackAnswers: Record<string, number> = {};
    const attacker = { attempts: 0, refused: 0, challenged: 0 };
    const firstFactorPassed = new Set<string>();
    const compromised = new Set<string>();
    let attackStarted: number | undefined;
    // Shared with the workers and the legitimate stream: the first error stops everything.
    const state: { stopLegitimate: boolean; failure: Error | undefined } = { stopLegitimate: false, failure: undefined };
    const fail = (error: unknown): void => {
      state.failure ??= error instanceof Error ? error : new Error(String(error));
    };

    // Legitimate traffic: a steady stream of different people, from the quiet phase to the end of the attack.
    const order = shuffle([...population.people]);
    const inFlight = new Set<Promise<void>>();
    let legitimateStartedInAttack = 0;
    const legitimateLoop = (async () => {
      for (let n = 0; !state.stopLegitimate && state.failure === undefined; n += 1) {
        const person = order[n % order.length] as Person;
        const inAttack = attackStarted !== undefined;
        if (inAttack) legitimateStartedInAttack += 1;
        const done: Promise<void> = legitimateSignIn(context, person).then((outcome) => {
          count(legit.all, outcome);
          count(inAttack ? legit.attack : legit.quiet, outcome);
          count(legit.byKind[outcome.kind], outcome);
          if (outcome.extraStep) bump(extraStepReasons, outcome.reason ?? 'none');
          for (const answer of outcome.answers) bump(legitAnswers, answer);
          timeline.legitimate(outcome);
        }, fail);
        inFlight.add(done);
        void done.finally(() => inFlight.delete(done));
        await sleep(1000 / scenario.legitimatePerSecond);
      }
    })();

    const progress = setInterval(() => {
      const phase = attackStarted === undefined ? 'quiet' : `attack ${attacker.attempts}/${pairs.length}`;
      log(
        `  [${label}] ${timeline.elapsed().toFixed(0)} s, ${phase}: ${attacker.refused} refused, ${attacker.challenged} challenged, ` +
          `${compromised.size} compromised; people ${legit.all.signIns} signed in, ${legit.all.failed} failed, ${legit.all.extraStep} with an extra step`,
      );
    }, PROGRESS_EVERY_MS);

    try {
      const quietCpuStart = await cpuMs(server);
      await sleep(scenario.quietSeconds * 1000);
      const quietSignIns = legit.all.signIns;
      const attackCpuStart = await cpuMs(server);
      const quietPerSignInMs = (attackCpuStart - quietCpuStart) / Math.max(1, quietSignIns);
      attackStarted = timeline.elapsed();

      // The attacker: one DPoP key per source address, pairs dealt round-robin to the addresses.
      const keys = new Map<number, DPoPKey>();
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < pairs.length && state.failure === undefined) {
          const i = next++;
          const pair = pairs[i] as LeakedPair;
          const source = i % sources;
          let key = keys.get(source);
          if (!key) keys.set(source, (key = generateDPoPKey()));
          const outcome = await attackerAttempt(attackClient, pair, { from: attackerAddress(source), key });
          attacker.attempts += 1;
          if (outcome.refused) attacker.refused += 1;
          if (outcome.challenged) {
            attacker.challenged += 1;
            firstFactorPassed.add(pair.email);
          }
          const newlyCompromised = outcome.compromised && !compromised.has(pair.email);
          if (outcome.compromised) {
            firstFactorPassed.add(pair.email);
            compromised.add(pair.email);
          }
          for (const answer of outcome.answers) bump(attackAnswers, answer);
          timeline.attack(outcome, newlyCompromised);
        }
      };
      await Promise.all(Array.from({ length: scenario.attackConcurrency }, worker)).catch(fail);
      const attackEnded = timeline.elapsed();
      const attackCpuMs = (await cpuMs(server)) - attackCpuStart;
      state.stopLegitimate = true;
      await legitimateLoop;
      await Promise.all([...inFlight]);
      if (state.failure !== undefined) throw state.failure;

      return {
        sources,
        quietSeconds: attackStarted,
        attackSeconds: attackEnded - attackStarted,
        attacker: {
          ...attacker,
          firstFactorPassed: firstFactorPassed.size,
          compromised: compromised.size,
          compromisedAccounts: [...compromised].slice(0, 20),
          answers: attackAnswers,
        },
        legitimate: { ...legit, extraStepReasons, answers: legitAnswers },
        serverCpu: {
          attackMs: attackCpuMs,
          perAttemptMs: attackCpuMs / Math.max(1, attacker.attempts + legitimateStartedInAttack),
          quietPerSignInMs,
        },
        timeline: timeline.panel(label, attackStarted, attackEnded),
        attackModeStarted: mailbox.attackModeStarts().length,
      };
    } finally {
      clearInterval(progress);
      state.stopLegitimate = true;
    }
  } finally {
    legitClient.close();
    attackClient.close();
    await mailbox.close();
    await server.stop();
    await rm(runDir, { recursive: true, force: true });
  }
}

const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;

interface Verdict {
  readonly met: boolean;
  readonly misses: readonly string[];
}

function judge(scenario: Scenario, run: RunResult): Verdict {
  const misses: string[] = [];
  const { all } = run.legitimate;
  if (run.attacker.compromised > scenario.goals.maxCompromised) misses.push(`${run.attacker.compromised} accounts compromised`);
  if (share(all.succeeded, all.signIns) < scenario.goals.minLegitimateSuccess)
    misses.push(`legitimate success ${percent(share(all.succeeded, all.signIns))}`);
  if (share(all.extraStep, all.signIns) > scenario.goals.maxLegitimateFriction)
    misses.push(`legitimate friction ${percent(share(all.extraStep, all.signIns))}`);
  return { met: misses.length === 0, misses };
}

function row(cells: readonly (string | number)[]): string {
  return `| ${cells.join(' | ')} |`;
}

function table(scenario: Scenario, runs: readonly RunResult[]): string {
  const lines = [
    row([
      'sources',
      'attempts',
      'refused (429)',
      'challenged',
      'first factor passed',
      'compromised',
      'legit sign-ins',
      'legit succeeded',
      'extra step (all)',
      'extra step (attack)',
      'server CPU ms/attempt',
      'goals',
    ]),
    row(['---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---']),
  ];
  for (const run of runs) {
    const { all, attack } = run.legitimate;
    const verdict = judge(scenario, run);
    lines.push(
      row([
        run.sources.toLocaleString('en-US'),
        run.attacker.attempts.toLocaleString('en-US'),
        run.attacker.refused.toLocaleString('en-US'),
        run.attacker.challenged.toLocaleString('en-US'),
        run.attacker.firstFactorPassed.toLocaleString('en-US'),
        run.attacker.compromised,
        all.signIns.toLocaleString('en-US'),
        percent(share(all.succeeded, all.signIns)),
        percent(share(all.extraStep, all.signIns)),
        percent(share(attack.extraStep, attack.signIns)),
        run.serverCpu.perAttemptMs.toFixed(1),
        verdict.met ? 'met' : `MISSED: ${verdict.misses.join('; ')}`,
      ]),
    );
  }
  return lines.join('\n');
}

/** Runs the whole simulation; resolves with the exit code (1 when a goal is missed). */
export async function runStuffingSimulation(env: NodeJS.ProcessEnv, log: Log): Promise<number> {
  const scenario = scenarioAt(readScale(env['STUFFING_SCALE']));
  const date = new Date().toISOString();
  const machine = describeMachine();
  const source = describeSource();
  log(formatMachine(machine));
  log(formatSource(source));
  const { passwordOnly, totp, passkeyOnly } = scenario.population;
  log(
    `\n▶ credential stuffing at scale ${scenario.scale}: ${passwordOnly + totp + passkeyOnly} accounts ` +
      `(${passwordOnly} password only, ${totp} with an authenticator app, ${passkeyOnly} passkey only), ` +
      `${scenario.leakedPairs} leaked pairs (${percent(scenario.correctShare)} right) from ${scenario.attackerSizes.join(', ')} source addresses`,
  );
  const population = await setUpPopulation(scenario, log);
  try {
    log(`  setup: ${population.setupSeconds.toFixed(0)} s (not counted in the runs)`);
    const pairs = leakedList(scenario, population.people);
    const runs: RunResult[] = [];
    for (const sources of scenario.attackerSizes) {
      log(`\n▶ ${sources} source address${sources === 1 ? '' : 'es'}: ${scenario.quietSeconds} s of people alone, then the attack`);
      const run = await runOnce(scenario, population, pairs, sources, log);
      runs.push(run);
      log(table(scenario, [run]).split('\n').at(-1) ?? '');
      log(`  attack mode: ${run.attackModeStarted === 0 ? 'never started' : `started ${run.attackModeStarted} time(s)`}`);
    }
    const summary = table(scenario, runs);
    log(`\n${summary}\n`);
    await mkdir(RESULTS_DIR, { recursive: true });
    const stem = path.join(RESULTS_DIR, `stuffing-${date.replace(/[:.]/g, '-')}`);
    const verdicts = runs.map((run) => judge(scenario, run));
    await writeFile(
      `${stem}.json`,
      `${JSON.stringify({ date, command: 'npm run bench -- stuffing', machine, source, scenario, setupSeconds: population.setupSeconds, runs, verdicts }, null, 2)}\n`,
    );
    const plotTitle = `Credential stuffing, ${passwordOnly + totp + passkeyOnly} accounts, ${scenario.leakedPairs} leaked pairs (scale ${scenario.scale})`;
    await writeFile(
      `${stem}.svg`,
      renderPlot(
        plotTitle,
        runs.map((run) => run.timeline),
      ),
    );
    log(`results: ${stem}.json\nplot: ${stem}.svg`);
    const missed = verdicts.flatMap((verdict, i) => verdict.misses.map((miss) => `${runs[i]?.sources} sources: ${miss}`));
    if (missed.length > 0) {
      log(`\n✗ goals missed: ${missed.join('; ')}`);
      return 1;
    }
    log('\n✓ every goal met at every attacker size');
    return 0;
  } finally {
    await rm(population.dataDir, { recursive: true, force: true });
  }
}
