/**
 * @module bench/simulations/credential-stuffing
 *
 * `npm run bench:stuffing`: the credential-stuffing simulation of the SPEC's defence section.
 * A population of accounts signs in as usual while an attacker replays a leaked list against
 * the server, in three shapes, once with the default defences and once with every limit raised
 * out of the way (the same server without them). It reports how many accounts the attacker got
 * into and how many legitimate sign-ins were refused.
 *
 * - `one network`: the whole leaked list from one address.
 * - `botnet`: the same list spread over many networks, two attempts each.
 * - `guessing`: a few accounts guessed with a long list from 25 networks; their passwords sit
 *   at known positions in the list (40, 90, 150, 250, 400).
 *
 * The leaked list mixes pairs that are right (the person reused the password), pairs with an old
 * password for a real account, and addresses that have no account here. Everything runs in this
 * process through `inject` with a client address per network: no sockets, loopback only, and a
 * bounded number of requests (about 9,000 per mode at the default scale). Argon2id runs for real,
 * so one run takes a few minutes. `STUFFING_SCALE=0.25` shrinks every count, the guessing list
 * and the positions in it included (CI runs it at 0.05 as a smoke test). An answer no sign-in
 * should get (a 5xx, a malformed request) stops the run with a non-zero exit code.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp, type App, type ConfigOverrides } from '@portcullis/server';
import { generateDPoPKey, proofFactory, type DPoPKey } from '../lib/dpop.ts';
import { BENCH_DEVICE, BENCH_PUBLIC_URL, SIGN_IN_PATH, benchConfig, createVerifiedAccount } from '../benchmarks/support/portcullis.ts';

const SCALE = Number(process.env['STUFFING_SCALE'] ?? '1');
if (!(SCALE > 0 && SCALE <= 4))
  throw new RangeError(`STUFFING_SCALE must be a number above 0 and at most 4, got "${process.env['STUFFING_SCALE']}"`);
const scaled = (n: number) => Math.max(1, Math.round(n * SCALE));
const POPULATION = scaled(200);
const REUSED_SHARE = 0.3;
const OLD_PASSWORD_PAIRS = scaled(900);
const UNKNOWN_ADDRESS_PAIRS = scaled(3000);
const GUESS_LIST_LENGTH = scaled(500);
const GUESSED_POSITIONS = [40, 90, 150, 250, 400].map(scaled);
const GUESSING_NETWORKS = 25;
const CONCURRENCY = 8;

/** Limits far beyond any count here: the same server with its defences out of the way. */
const NO_LIMIT = { max: 1_000_000_000, windowSeconds: 60 };
const UNDEFENDED: ConfigOverrides['defense'] = {
  passwordFailures: { perAccountAndNetwork: [NO_LIMIT], perAccount: NO_LIMIT, perNetwork: NO_LIMIT, global: NO_LIMIT },
  requests: { perNetwork: NO_LIMIT, costlyPerNetwork: NO_LIMIT },
};

interface Credential {
  readonly email: string;
  readonly password: string;
}

interface Attempt extends Credential {
  readonly network: string;
  readonly legitimate: boolean;
}

interface Outcome {
  attempts: number;
  refused: number;
  compromised: Set<string>;
  legitimate: number;
  legitimateBlocked: number;
}

const randomPassword = () => randomBytes(18).toString('base64url');
const ipv4 = (n: number, block = 10) => `${block}.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = randomBytes(4).readUInt32BE(0) % (i + 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** Spreads `legitimate` sign-ins evenly through the attack, as everyday traffic would be. */
function interleave(attack: readonly Attempt[], legitimate: readonly Attempt[]): Attempt[] {
  const every = Math.max(1, Math.floor(attack.length / Math.max(1, legitimate.length)));
  const schedule: Attempt[] = [];
  let next = 0;
  attack.forEach((attempt, i) => {
    if (i % every === 0 && next < legitimate.length) schedule.push(legitimate[next++] as Attempt);
    schedule.push(attempt);
  });
  return [...schedule, ...legitimate.slice(next)];
}

/** One password sign-in as a device on `network` would send it, following the server nonce. */
class SignInClient {
  readonly #keys = new Map<string, DPoPKey>();
  #nonce: string | undefined;

  constructor(readonly app: App) {}

  async signIn(attempt: Attempt): Promise<{ status: number; code: string | undefined }> {
    let key = this.#keys.get(attempt.network);
    if (!key) this.#keys.set(attempt.network, (key = generateDPoPKey()));
    for (let round = 0; ; round += 1) {
      const nonce = this.#nonce;
      const proof = proofFactory(key, { htm: 'POST', htu: BENCH_PUBLIC_URL + SIGN_IN_PATH, ...(nonce ? { nonce } : {}) })();
      const response = await this.app.inject({
        method: 'POST',
        url: SIGN_IN_PATH,
        remoteAddress: attempt.network,
        headers: { dpop: proof },
        payload: { email: attempt.email, password: attempt.password, device: BENCH_DEVICE },
      });
      const fresh = response.headers['dpop-nonce'];
      if (typeof fresh === 'string') this.#nonce = fresh;
      const code = response.statusCode === 201 ? undefined : response.json<{ code?: string }>().code;
      if (code === 'AUTH_DPOP_NONCE_REQUIRED' && round === 0) continue;
      return { status: response.statusCode, code };
    }
  }
}

/**
 * Every answer a sign-in can get here: a session, wrong credentials, a second-factor challenge,
 * or a refusal by a limit. Anything else means the simulation, not the defence, is broken.
 */
const EXPECTED_ANSWERS: ReadonlySet<string> = new Set([
  '201',
  '401 AUTH_INVALID_CREDENTIALS',
  '401 MFA_REQUIRED',
  '429 AUTH_PASSWORD_THROTTLED',
  '429 RATE_LIMITED',
]);

async function run(app: App, schedule: readonly Attempt[]): Promise<Outcome> {
  const outcome: Outcome = { attempts: 0, refused: 0, compromised: new Set(), legitimate: 0, legitimateBlocked: 0 };
  const client = new SignInClient(app);
  let next = 0;
  const worker = async () => {
    while (next < schedule.length) {
      const attempt = schedule[next++] as Attempt;
      const { status, code } = await client.signIn(attempt);
      const answer = code === undefined ? String(status) : `${status} ${code}`;
      if (!EXPECTED_ANSWERS.has(answer)) {
        next = schedule.length; // the other workers stop too
        throw new Error(`sign-in as ${attempt.email} from ${attempt.network} answered ${answer}`);
      }
      if (attempt.legitimate) {
        outcome.legitimate += 1;
        if (status === 429) outcome.legitimateBlocked += 1;
        continue;
      }
      outcome.attempts += 1;
      if (status === 429) outcome.refused += 1;
      // The first factor fell: a session, or a second-factor challenge the attacker now faces.
      if (status === 201 || code === 'MFA_REQUIRED') outcome.compromised.add(attempt.email);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return outcome;
}

interface Scenario {
  readonly name: string;
  /** Accounts the attacker could get into at all with this list (its right pairs). */
  readonly reachable: number;
  build(population: readonly Credential[]): Attempt[];
}

function leakedList(population: readonly Credential[]): { pairs: Credential[]; reachable: number } {
  const reused = population.slice(0, Math.round(population.length * REUSED_SHARE));
  const pairs: Credential[] = [...reused];
  for (let i = 0; i < OLD_PASSWORD_PAIRS; i += 1) {
    pairs.push({ email: (population[i % population.length] as Credential).email, password: randomPassword() });
  }
  for (let i = 0; i < UNKNOWN_ADDRESS_PAIRS; i += 1) pairs.push({ email: `leaked-${i}@elsewhere.example`, password: randomPassword() });
  return { pairs: shuffle(pairs), reachable: reused.length };
}

const legitimateSignIns = (population: readonly Credential[]): Attempt[] =>
  population.map((person, i) => ({ ...person, network: ipv4(i + 1, 172), legitimate: true }));

function scenarios(population: readonly Credential[]): Scenario[] {
  const leaked = leakedList(population);
  const guessed = population.slice(-GUESSED_POSITIONS.length);
  return [
    {
      name: 'one network',
      reachable: leaked.reachable,
      build: () => leaked.pairs.map((pair) => ({ ...pair, network: '198.51.100.66', legitimate: false })),
    },
    {
      name: 'botnet',
      reachable: leaked.reachable,
      build: () => leaked.pairs.map((pair, i) => ({ ...pair, network: ipv4(Math.floor(i / 2) + 1), legitimate: false })),
    },
    {
      name: 'guessing',
      reachable: guessed.length,
      build: () => {
        const attempts: Attempt[] = [];
        for (let position = 1; position <= GUESS_LIST_LENGTH; position += 1) {
          guessed.forEach((person, p) => {
            const right = GUESSED_POSITIONS[p] === position;
            attempts.push({
              email: person.email,
              password: right ? person.password : `guess-${position}-${randomPassword()}`,
              network: ipv4((position + p) % GUESSING_NETWORKS, 203),
              legitimate: false,
            });
          });
        }
        return attempts;
      },
    },
  ];
}

async function withServer<T>(defense: ConfigOverrides['defense'] | undefined, use: (app: App) => Promise<T>): Promise<T> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'portcullis-stuffing-'));
  const config = benchConfig(dataDir, { defense: defense ?? {} });
  const app = await buildApp({ ...config, log: { ...config.log, level: 'warn' } });
  try {
    return await use(app);
  } finally {
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function populate(app: App, credentials: readonly Credential[]): Promise<void> {
  // Each person signs up from a network of their own.
  for (const [i, account] of credentials.entries()) await createVerifiedAccount(app, { account, remoteAddress: ipv4(i + 1, 100) });
}

function row(cells: readonly (string | number)[]): string {
  return `| ${cells.join(' | ')} |`;
}

async function main(): Promise<void> {
  const population: Credential[] = Array.from({ length: POPULATION }, (_, i) => ({
    email: `person-${i}@clinic.example`,
    password: randomPassword(),
  }));
  const results: Record<string, unknown>[] = [];
  const lines = [
    row(['attack', 'defences', 'attempts', 'refused (429)', 'accounts compromised', 'legitimate sign-ins refused', 'seconds']),
    row(['---', '---', '---:', '---:', '---:', '---:', '---:']),
  ];
  for (const scenario of scenarios(population)) {
    for (const [label, defense] of [
      ['default', undefined],
      ['none', UNDEFENDED],
    ] as const) {
      process.stdout.write(`▶ ${scenario.name}, defences ${label}… `);
      const started = Date.now();
      const outcome = await withServer(defense, async (app) => {
        await populate(app, population);
        return run(app, interleave(scenario.build(population), legitimateSignIns(population)));
      });
      const seconds = (Date.now() - started) / 1000;
      process.stdout.write(`${seconds.toFixed(0)} s\n`);
      results.push({ scenario: scenario.name, defences: label, ...outcome, compromised: outcome.compromised.size, seconds });
      lines.push(
        row([
          scenario.name,
          label,
          outcome.attempts,
          outcome.refused,
          `${outcome.compromised.size} of ${scenario.reachable}`,
          `${outcome.legitimateBlocked} of ${outcome.legitimate}`,
          seconds.toFixed(0),
        ]),
      );
    }
  }
  process.stdout.write(`\n${lines.join('\n')}\n\n${JSON.stringify({ scale: SCALE, population: POPULATION, results })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `credential-stuffing simulation failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
