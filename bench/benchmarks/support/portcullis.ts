/**
 * @module bench/benchmarks/support/portcullis
 *
 * What the Portcullis benchmarks share. In the target process: the production-like bench
 * configuration, starting `buildApp` on loopback in a temporary data directory, and creating
 * a verified account through the real API (sign-up, then the code from the development mail
 * outbox, then email verification). In the runner: signing that account in with a DPoP key,
 * as a mobile client does, and reporting how fast the load generator can sign proofs. The
 * account's address and password are the only things that cross from target to runner; the
 * DPoP key and the tokens are created on the runner side, like on a device.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import type { TokenResponse } from '@portcullis/protocol';
import { buildApp, loadConfig, type App, type BuildAppOptions, type Config, type ConfigOverrides } from '@portcullis/server';
import { listOutbox } from '../../../packages/server/src/platform/mailer/index.js';
import { listenOnLoopback } from '../../lib/loopback.ts';
import {
  exportDPoPKey,
  generateDPoPKey,
  importDPoPKey,
  measureProofRate,
  presignedProofs,
  proofFactory,
  sendWithNonce,
  type DPoPKey,
} from '../../lib/dpop.ts';
import type { Fixture, HttpWorkload, ListeningTarget, WorkloadContext } from '../../lib/types.ts';

/** `config.publicUrl`: every proof's `htu` is this origin plus the request path. */
export const BENCH_PUBLIC_URL = 'https://bench.local';

export const SIGN_IN_PATH = '/v1/sessions';

/** The device every benchmark session is created for. */
export const BENCH_DEVICE = { label: 'bench device', platform: 'ios' } as const;

const MAIL_TIMEOUT_MS = 5000;
const MAIL_POLL_MS = 20;

export interface BenchAccount {
  readonly email: string;
  readonly password: string;
}

/**
 * SQLite in the target's data directory, or the PostgreSQL server named by
 * `BENCH_DATABASE_URL` (a fresh schema per target, so samples never share rows).
 */
function benchDatabase(sqlite: boolean): { url: string; schema?: string } {
  const url = sqlite ? undefined : process.env['BENCH_DATABASE_URL'];
  if (url === undefined || url === '') return { url: 'sqlite:bench.db' };
  return { url, schema: `bench_${randomBytes(6).toString('hex')}` };
}

/**
 * The load generator is a single network, and all of its load counts against the per-network
 * counters, where real traffic comes from many networks. Only those are raised out of its way,
 * and each is still taken on every request it applies to (docs/security/defense.md, "Load tests
 * from one address"):
 * - `requests.perNetwork`: 300 requests a minute to the `limit: 'network'` routes (sign-in);
 * - `passwordFailures.perNetwork`: a correct password holds its unit of this counter until its
 *   check is done, so more than 100 sign-ins in flight from one network would be refused.
 * Every per-address counter keeps its default: the sign-in benchmark spreads its load over one
 * account per request in flight, so each account signs in once at a time, as a person does.
 */
const ONE_LOAD_GENERATOR: NonNullable<ConfigOverrides['defense']> = {
  requests: { perNetwork: { max: 1_000_000_000, windowSeconds: 60 } },
  passwordFailures: { perNetwork: { max: 1_000_000_000, windowSeconds: 3600 } },
};

/**
 * Production-like settings without production's start-up guards (which are not under test):
 * TLS terminates "upstream" so the loopback listener speaks plain HTTP, SQLite lives in a
 * temporary directory (or PostgreSQL, see `benchDatabase`), no metrics listener (the in-process histogram hook still runs), and
 * logging at `info`. `environment` is read only by the start-up guards (and selects the mail
 * outbox, since no SMTP server is configured), never per request, so `development` measures
 * the same request path as `production`. Everything else keeps its default: Argon2id
 * m=19456 KiB, t=2, p=1 with 4 concurrent hashes, DPoP nonces on, the in-memory replay cache,
 * and the abuse limits, except the per-network ones a single load generator would trip
 * ({@link ONE_LOAD_GENERATOR}). `defense` replaces that exception (the credential-stuffing
 * simulation runs the real defaults). `sqlite` keeps the database in the data directory even
 * when `BENCH_DATABASE_URL` is set (the simulation copies a set-up data directory per run).
 */
export function benchConfig(
  dataDir: string,
  options: { readonly defense?: ConfigOverrides['defense']; readonly sqlite?: boolean; readonly records?: ConfigOverrides['records'] } = {},
): Config {
  const { config } = loadConfig({
    env: {},
    overrides: {
      environment: 'development',
      publicUrl: BENCH_PUBLIC_URL,
      dataDir,
      http: { host: '127.0.0.1', port: 0, tls: { mode: 'upstream' } },
      database: benchDatabase(options.sqlite ?? false),
      log: { level: 'info' },
      metrics: { enabled: false },
      defense: options.defense ?? ONE_LOAD_GENERATOR,
      ...(options.records ? { records: options.records } : {}),
    },
  });
  return config;
}

/** What a benchmark side changes in the app it starts. */
export interface TargetOptions {
  /** `records.types` to declare instead of the clinic defaults. */
  readonly records?: ConfigOverrides['records'];
  /** Replaces the app's data protection (the "encryption off" side of a benchmark). */
  readonly dataProtection?: BuildAppOptions['dataProtection'];
}

/**
 * `buildApp` with the given plugins in a fresh temporary data directory, listening on
 * loopback; `prepare` runs before the target reports ready and its result becomes the fixture.
 */
export async function startPortcullis(
  plugins: readonly FastifyPluginAsync[],
  prepare?: (app: App) => Promise<Fixture>,
  options: TargetOptions = {},
): Promise<ListeningTarget> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'portcullis-bench-'));
  const app = await buildApp(benchConfig(dataDir, options.records ? { records: options.records } : {}), {
    plugins,
    ...(options.dataProtection ? { dataProtection: options.dataProtection } : {}),
  });
  const target = await listenOnLoopback(app, () => rm(dataDir, { recursive: true, force: true }));
  return prepare ? { ...target, fixture: await prepare(app) } : target;
}

async function injectJson(
  app: App,
  url: string,
  payload: object,
  expectedStatus: number,
  remoteAddress?: string,
  proofKey?: DPoPKey,
): Promise<void> {
  const send = (nonce?: string) =>
    app.inject({
      method: 'POST',
      url,
      payload: { ...payload },
      ...(remoteAddress ? { remoteAddress } : {}),
      ...(proofKey
        ? { headers: { dpop: proofFactory(proofKey, { htm: 'POST', htu: BENCH_PUBLIC_URL + url, ...(nonce ? { nonce } : {}) })() } }
        : {}),
    });
  let response = await send();
  const nonce = response.headers['dpop-nonce'];
  if (proofKey && response.statusCode === 401 && typeof nonce === 'string') response = await send(nonce);
  if (response.statusCode !== expectedStatus) {
    throw new Error(`setup: POST ${url} answered ${response.statusCode}, expected ${expectedStatus}: ${response.body.slice(0, 300)}`);
  }
}

/** The 6-digit code of the newest "Confirm your email address" message to `email`. */
async function verificationCode(app: App, email: string): Promise<string> {
  const deadline = Date.now() + MAIL_TIMEOUT_MS;
  for (;;) {
    // Mail is written off the request path (`sendInBackground`), so it may lag the 202.
    // The outbox keeps messages sealed; it is read as `portcullis outbox` reads it.
    const messages = await listOutbox({ db: app.portcullis.database.db, dataProtection: app.portcullis.dataProtection }, 100);
    const mail = messages.find((message) => message.to === email && message.subject.startsWith('Confirm your email address'));
    const code = mail ? /\b(\d{6})\b/.exec(mail.text)?.[1] : undefined;
    if (code !== undefined) return code;
    if (Date.now() > deadline) throw new Error(`setup: no verification code for ${email} within ${MAIL_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, MAIL_POLL_MS));
  }
}

/**
 * The benchmark device (target side, one per process): every account confirms its address
 * from it, with `device` and a DPoP proof, so the server knows it as a device the account has
 * used and its password sign-ins ask for no new-device code, as on a person's own phone. The
 * fixture hands the key to the runner (`deviceKeyFrom`).
 */
let benchDeviceKey: DPoPKey | undefined;
function deviceKey(): DPoPKey {
  benchDeviceKey ??= generateDPoPKey();
  return benchDeviceKey;
}

/** The device key the target's accounts know (runner side). */
export function deviceKeyFrom(fixture: Fixture): DPoPKey {
  const text = fixture['deviceKey'];
  if (text === undefined) throw new Error('the target handed over no device key');
  return importDPoPKey(text);
}

/**
 * Signs up and verifies one account through the API (target side); returns it as a fixture,
 * with the device key it verified from. By default a random account from loopback;
 * `remoteAddress` is the network it signs up from (one network may sign up only so many accounts).
 */
export async function createVerifiedAccount(
  app: App,
  options: { readonly account?: BenchAccount; readonly remoteAddress?: string } = {},
): Promise<Fixture> {
  // 32 random base64url characters: long enough for the single-factor policy, on no blocklist.
  const account: BenchAccount = options.account ?? {
    email: `bench-${randomBytes(6).toString('hex')}@bench.example`,
    password: randomBytes(24).toString('base64url'),
  };
  await injectJson(app, '/v1/accounts', account, 202, options.remoteAddress);
  const code = await verificationCode(app, account.email);
  const verify = { email: account.email, code, device: BENCH_DEVICE };
  await injectJson(app, '/v1/accounts/verify-email', verify, 200, options.remoteAddress, deviceKey());
  return { email: account.email, password: account.password, deviceKey: exportDPoPKey(deviceKey()) };
}

/** The account a target created, read back from its fixture (runner side). */
export function accountFrom(fixture: Fixture): BenchAccount {
  const { email, password } = fixture;
  if (email === undefined || password === undefined) throw new Error('the target handed over no account (email, password)');
  return { email, password };
}

/** Sign-ups at once while creating accounts: enough to keep the 4 hash slots busy. */
const SIGN_UPS_IN_FLIGHT = 8;

/** The n-th address of 198.18.0.0/15, the block set aside for benchmarking (RFC 2544, RFC 6815). */
function benchmarkNetwork(n: number): string {
  return `198.${18 + ((n >> 16) & 1)}.${(n >> 8) & 255}.${n & 255}`;
}

/**
 * Signs up and verifies `count` accounts (target side), each from a network of its own, as
 * people sign up (one network may sign up only so many accounts). The fixture carries them as
 * JSON under `accounts`.
 */
export async function createVerifiedAccounts(app: App, count: number): Promise<Fixture> {
  const accounts: Fixture[] = [];
  for (let first = 0; first < count; first += SIGN_UPS_IN_FLIGHT) {
    const batch = Array.from({ length: Math.min(SIGN_UPS_IN_FLIGHT, count - first) }, (_, i) =>
      createVerifiedAccount(app, { remoteAddress: benchmarkNetwork(first + i) }),
    );
    accounts.push(...(await Promise.all(batch)));
  }
  return { accounts: JSON.stringify(accounts), deviceKey: exportDPoPKey(deviceKey()) };
}

/** The accounts `createVerifiedAccounts` handed over (runner side). */
export function accountsFrom(fixture: Fixture): BenchAccount[] {
  const parsed: unknown = JSON.parse(fixture['accounts'] ?? '[]');
  const accounts = Array.isArray(parsed) ? parsed.map((entry: Fixture) => accountFrom(entry)) : [];
  if (accounts.length === 0) throw new Error('the target handed over no accounts');
  return accounts;
}

/** The JSON body of a password sign-in. */
export function signInBody(account: BenchAccount): string {
  return JSON.stringify({ email: account.email, password: account.password, device: BENCH_DEVICE });
}

/**
 * Password sign-in over HTTP with a DPoP proof of `key`, picking up the server nonce on the
 * way (runner side). Returns the DPoP-bound access token and the nonce for later proofs.
 */
export async function signIn(
  url: string,
  key: DPoPKey,
  account: BenchAccount,
): Promise<{ accessToken: string; nonce: string | undefined }> {
  const body = signInBody(account);
  const { response, nonce } = await sendWithNonce((currentNonce) => {
    const proof = proofFactory(key, {
      htm: 'POST',
      htu: BENCH_PUBLIC_URL + SIGN_IN_PATH,
      ...(currentNonce ? { nonce: currentNonce } : {}),
    });
    return fetch(url + SIGN_IN_PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json', dpop: proof() },
      body,
      signal: AbortSignal.timeout(10_000),
    });
  });
  if (response.status !== 201) throw new Error(`sign-in answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  const tokens = (await response.json()) as TokenResponse;
  return { accessToken: tokens.accessToken, nonce };
}

let proofRateReported = false;

/** Logs, once per runner process, how many proofs per second the load generator can sign. */
export function reportProofCapacity(log: (line: string) => void): void {
  if (proofRateReported) return;
  proofRateReported = true;
  const { microsPerProof, proofsPerSecond } = measureProofRate();
  log(
    `  load generator: ES256 DPoP proof signing ${microsPerProof.toFixed(1)} µs/proof ` +
      `(at most ${Math.round(proofsPerSecond).toLocaleString('en-US')} proofs/s on its core, before autocannon's own cost)`,
  );
}

/** Above what this server reaches on the reference machine, so the pool does not run dry. */
const PRESIGNED_PROOFS_PER_SECOND = 30_000;
/** Proofs are used well inside the server's 60-second `iat` window. */
const PRESIGNED_MAX_AGE_SECONDS = 40;

/**
 * Proofs of `key` for `method path` with `accessToken` and the server's nonce, signed before the
 * load starts (runner side): enough for `perSecond` requests a second over the load, at most
 * {@link PRESIGNED_MAX_AGE_SECONDS} seconds' worth; past that, they are signed per request.
 */
export function presignedProofsFor(
  { log, loadSeconds }: Pick<WorkloadContext, 'log' | 'loadSeconds'>,
  key: DPoPKey,
  request: { readonly method: string; readonly path: string; readonly accessToken: string; readonly nonce: string | undefined },
  perSecond: number = PRESIGNED_PROOFS_PER_SECOND,
): () => string {
  const { method, path, accessToken, nonce } = request;
  const signed = proofFactory(key, { htm: method, htu: BENCH_PUBLIC_URL + path, accessToken, ...(nonce ? { nonce } : {}) });
  const started = performance.now();
  const count = Math.min(loadSeconds, PRESIGNED_MAX_AGE_SECONDS) * perSecond;
  const nextProof = presignedProofs(signed, count);
  log(
    `  load generator: ${count.toLocaleString('en-US')} proofs signed before the load in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return nextProof;
}

/**
 * The runner side of a route read by the target's signed-in account: signs in with the device
 * key the account knows, then sends `GET path` with the access token and a fresh DPoP proof
 * per request, signed before the load (`presignedProofsFor`). A nonce is accepted for at least
 * 300 s, so it is fetched once per sample; the access token lives 600 s.
 */
export async function signedInGetWorkload(
  context: WorkloadContext,
  path: string,
  expected: { readonly body?: string } = {},
): Promise<HttpWorkload & { readonly authorization: string; readonly nextProof: () => string }> {
  const { url, fixture, log } = context;
  reportProofCapacity(log);
  const key = deviceKeyFrom(fixture);
  const { accessToken, nonce } = await signIn(url, key, accountFrom(fixture));
  const nextProof = presignedProofsFor(context, key, { method: 'GET', path, accessToken, nonce });
  const authorization = `DPoP ${accessToken}`;
  return {
    authorization,
    nextProof,
    request: {
      method: 'GET',
      path,
      headers: { authorization },
      expectedStatus: 200,
      ...(expected.body === undefined ? {} : { expectedBody: expected.body }),
    },
    perRequestHeaders: () => ({ dpop: nextProof() }),
  };
}
